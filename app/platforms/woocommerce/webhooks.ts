/**
 * WooCommerce webhooks -> what the core takes: `order.created` / `order.updated` become order
 * events (one per sale the order touches), `product.updated` a stock report. WooCommerce signs
 * each delivery with base64 HMAC-SHA256 of the raw body (X-WC-Webhook-Signature); checking
 * it is the route's job, this module only maps verified payloads.
 */
import { z } from "zod";

import { holdIdOfOrder } from "../../core/checkout/orderIds.ts";
import { orderEventsBySale, type OrderEvent, type OrderEventKind } from "../../core/orders/index.ts";
import { isTokenShaped } from "../../core/tokens/index.ts";
import { payloadIssue } from "../payloadIssue.ts";
import { productRef, variationRef } from "./refs.ts";
import { HOLDFAST_ORDER_META } from "./WooCommercePlatform.ts";

/** Line item (or order) meta the widget's add-to-cart sets with the hold id, as on Shopify. */
export const WOO_HOLD_META = "_holdfast_hold";
/** Line item (or order) meta with the signed hold token next to it; the hold counts only once it verifies. */
export const WOO_HOLD_TOKEN_META = "_holdfast_token";

const wooId = z.number().int().nonnegative();
const meta = z.array(z.object({ key: z.string(), value: z.unknown() })).catch([]);
const orderPayload = z.object({
  id: wooId.min(1),
  status: z.string(),
  customer_id: wooId.optional(),
  created_via: z.string().nullish(),
  date_created_gmt: z.string().nullish(),
  date_modified_gmt: z.string().nullish(),
  meta_data: meta.optional(),
  line_items: z.array(
    z.object({
      product_id: wooId,
      variation_id: wooId.optional(),
      quantity: z.number().int(),
      meta_data: meta.optional(),
    }),
  ),
});

/**
 * What an order's status means for its stock. `pending` (awaiting payment) and
 * `checkout-draft` have not taken stock in WooCommerce yet, so they are not events.
 */
const KIND_OF_STATUS: Record<string, OrderEventKind> = {
  processing: "created",
  "on-hold": "created",
  completed: "created",
  cancelled: "cancelled",
  refunded: "cancelled",
  failed: "failed",
};

export interface WooOrderWebhook {
  storeId: string;
  payload: unknown;
  /** The sale item a WooCommerce ref ("<product>" or "<product>:<variation>") is, in a running sale of this store. */
  itemOf: (ref: string) => { saleId: string; itemId: string } | undefined;
  now: number;
}

export type WooOrderMapping =
  { outcome: "events"; orderRef: string; events: OrderEvent[] } | { outcome: "ignored"; reason: string } | { outcome: "malformed"; reason: string };

/** The refs an order's lines name, to look their sale items up before mapping. */
export function wooOrderRefs(payload: unknown): string[] {
  const parsed = orderPayload.safeParse(payload);
  return parsed.success ? parsed.data.line_items.map(lineRef) : [];
}

export function orderEventsFromWooWebhook(webhook: WooOrderWebhook): WooOrderMapping {
  const parsed = orderPayload.safeParse(webhook.payload);
  if (!parsed.success) return { outcome: "malformed", reason: payloadIssue(parsed.error) };
  const order = parsed.data;
  const kind = KIND_OF_STATUS[order.status];
  if (kind === undefined) return { outcome: "ignored", reason: `status ${order.status} has not taken stock` };
  // WooCommerce's delivery ids are not dependable (the notes): the order, its status and its
  // modification time name one change, so a redelivery of it is dropped.
  const changeId = `wc.${order.id}.${order.status}.${order.date_modified_gmt ?? order.date_created_gmt ?? ""}`;
  const events = orderEventsBySale({
    changeId,
    storeId: webhook.storeId,
    orderRef: String(order.id),
    kind,
    lines: order.line_items.map((line) => ({
      ref: lineRef(line),
      quantity: line.quantity,
      holdId: metaText(line.meta_data, WOO_HOLD_META),
      holdToken: metaToken(line.meta_data),
    })),
    orderHoldToken: metaToken(order.meta_data),
    // An order the shop's staff entered in wp-admin is never cancelled by the bypass policy.
    createdByStaff: order.created_via === "admin",
    // An order our headless checkout created names its checkout order (co-<hold id>).
    orderHold: metaText(order.meta_data, WOO_HOLD_META) ?? holdIdOfOrder(metaText(order.meta_data, HOLDFAST_ORDER_META) ?? "") ?? undefined,
    customerRef: order.customer_id ? `woocommerce:customer:${order.customer_id}` : undefined,
    occurredAt: timeOf(order.date_modified_gmt) ?? timeOf(order.date_created_gmt) ?? webhook.now,
    itemOf: webhook.itemOf,
  });
  return { outcome: "events", orderRef: String(order.id), events };
}

const productPayload = z.object({
  id: wooId.min(1),
  parent_id: wooId.optional(),
  manage_stock: z.union([z.boolean(), z.literal("parent")]).optional(),
  stock_quantity: z.number().int().nullish(),
});

/** product.updated -> the stock report ExternalStockIntake takes, when the product counts its stock. */
export function stockReportFromWooWebhook(storeId: string, payload: unknown): { storeId: string; ref: string; available: number } | null {
  const parsed = productPayload.safeParse(payload);
  if (!parsed.success || parsed.data.manage_stock !== true || parsed.data.stock_quantity == null) return null;
  const { id, parent_id: parent, stock_quantity: available } = parsed.data;
  return { storeId, ref: parent ? variationRef(parent, id) : productRef(id), available: Math.max(0, available) };
}

function lineRef(line: { product_id: number; variation_id?: number | undefined }): string {
  return line.variation_id ? variationRef(line.product_id, line.variation_id) : productRef(line.product_id);
}

function metaText(list: { key: string; value: unknown }[] | undefined, key: string): string | undefined {
  const value = list?.find((entry) => entry.key === key)?.value;
  return typeof value === "string" && /^[\x21-\x7e]{1,128}$/.test(value) ? value : undefined;
}

function metaToken(list: { key: string; value: unknown }[] | undefined): string | undefined {
  const value = list?.find((entry) => entry.key === WOO_HOLD_TOKEN_META)?.value;
  return isTokenShaped(value) ? value : undefined;
}

function timeOf(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  // WooCommerce's *_gmt fields carry no zone suffix.
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

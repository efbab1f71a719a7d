/**
 * Shopify webhook payloads (REST JSON, API version 2026-04) mapped to what the core takes:
 * orders/create and orders/cancelled -> OrderEvent per sale, inventory_levels/update -> a
 * stock report, products/update -> which inventory item each variant has.
 *
 * How an order says which hold it was placed with: the waiting-room widget adds the line item
 * property `_holdfast_hold` (the hold id) to each line it puts in the cart, and
 * `_holdfast_token` (the signed hold token). A cart attribute `_holdfast_hold` (order
 * `note_attributes`) is read too, for themes that set it on the cart instead; it counts only
 * when the order touches a single sale. Names starting with `_` are hidden from the shopper.
 */
import { z } from "zod";

import { holdIdOfOrder } from "../../core/checkout/index.ts";
import { orderEventsBySale, type OrderEvent, type OrderEventKind } from "../../core/orders/index.ts";
import { isTokenShaped } from "../../core/tokens/index.ts";
import { payloadIssue } from "../payloadIssue.ts";
import { gid, stockRef } from "./refs.ts";

export const HOLD_ATTRIBUTE = "_holdfast_hold";
export const HOLD_TOKEN_ATTRIBUTE = "_holdfast_token";
/** What ShopifyPlatform.createOrder puts on the draft orders of headless checkouts. */
export const CHECKOUT_ORDER_ATTRIBUTE = "holdfast_order_id";

/** How a Shopify customer is named in holds and orders (per-customer limits count across both). */
export function shopifyCustomerRef(customerId: string | number): string {
  return `shopify-customer:${customerId}`;
}

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]).transform(String);
const nameValue = z
  .array(z.object({ name: z.string(), value: z.unknown() }))
  .nullish()
  .transform((list) => list ?? []);

const orderPayload = z.object({
  id,
  admin_graphql_api_id: z
    .string()
    .regex(/^gid:\/\/shopify\/Order\/\d+$/)
    .optional(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  cancelled_at: z.string().nullish(),
  customer: z.object({ id }).nullish(),
  source_name: z.string().nullish(),
  note_attributes: nameValue,
  line_items: z.array(
    z.object({
      variant_id: id.nullish(),
      quantity: z.number().int().min(0),
      properties: nameValue,
    }),
  ),
});

/** A drop item of one sale. */
export interface DropItem {
  saleId: string;
  itemId: string;
}

export interface OrderWebhook {
  topic: "orders/create" | "orders/cancelled";
  /** X-Shopify-Event-Id when present (the same for every subscription of one event), else X-Shopify-Webhook-Id. */
  eventId: string;
  storeId: string;
  payload: unknown;
  /** The drop item a variant (gid://shopify/ProductVariant/..) stands for, if any. */
  itemOf: (variantGid: string) => DropItem | undefined;
  now: number;
}

export type OrderMapping =
  | { outcome: "events"; orderRef: string; events: OrderEvent[]; variants: string[] }
  /** The payload is not an order we can read: nothing to enqueue (a retry would not change it). */
  | { outcome: "malformed"; reason: string };

/** The variant gids of an order's lines, so the caller can resolve them before mapping. */
export function orderVariants(payload: unknown): string[] {
  const parsed = orderPayload.safeParse(payload);
  if (!parsed.success) return [];
  return [...new Set(parsed.data.line_items.flatMap((line) => (line.variant_id ? [gid("ProductVariant", line.variant_id)] : [])))];
}

/**
 * One OrderEvent per sale the order has drop items of (usually one), none when it has none.
 * Lines of other products are left out; the bypass policy applies when no hold is named.
 */
export function orderEventsFromWebhook(webhook: OrderWebhook): OrderMapping {
  const parsed = orderPayload.safeParse(webhook.payload);
  if (!parsed.success) return { outcome: "malformed", reason: payloadIssue(parsed.error) };
  const order = parsed.data;
  const orderRef = order.admin_graphql_api_id ?? gid("Order", order.id);
  const kind: OrderEventKind = webhook.topic === "orders/create" ? "created" : "cancelled";
  const events = orderEventsBySale({
    changeId: webhook.eventId,
    storeId: webhook.storeId,
    orderRef,
    kind,
    lines: order.line_items.flatMap((line) =>
      line.variant_id
        ? [
            {
              ref: gid("ProductVariant", line.variant_id),
              quantity: line.quantity,
              holdId: attribute(line.properties, HOLD_ATTRIBUTE),
              holdToken: tokenAttribute(line.properties),
            },
          ]
        : [],
    ),
    orderHoldToken: tokenAttribute(order.note_attributes),
    createdByStaff: STAFF_SOURCES.has(order.source_name ?? ""),
    // A completed draft order of our headless checkout names its order (co-<hold id>) instead.
    orderHold: attribute(order.note_attributes, HOLD_ATTRIBUTE) ?? holdIdOfOrder(attribute(order.note_attributes, CHECKOUT_ORDER_ATTRIBUTE) ?? "") ?? undefined,
    customerRef: order.customer ? shopifyCustomerRef(order.customer.id) : undefined,
    occurredAt: timeOf(kind === "cancelled" ? (order.cancelled_at ?? order.updated_at) : order.created_at) ?? webhook.now,
    itemOf: (variant) => webhook.itemOf(variant),
  });
  return { outcome: "events", orderRef, events, variants: orderVariants(webhook.payload) };
}

/**
 * Order sources that are the merchant's own staff selling: Shopify POS and draft orders made
 * in the admin. Their orders are never cancelled by the bypass policy (flagged instead): a
 * cashier's sale is not a shopper skipping the line. Every other source (web, the Storefront
 * API, apps' own channels) is a shopper's.
 */
const STAFF_SOURCES: ReadonlySet<string> = new Set(["pos", "shopify_draft_order"]);

/** A hold token is a JWT: three base64url segments, bounded like every token we verify. */
function tokenAttribute(list: { name: string; value: unknown }[]): string | undefined {
  const value = list.find((entry) => entry.name === HOLD_TOKEN_ATTRIBUTE)?.value;
  return isTokenShaped(value) ? value : undefined;
}

function attribute(list: { name: string; value: unknown }[], name: string): string | undefined {
  const value = list.find((entry) => entry.name === name)?.value;
  return typeof value === "string" && /^[\x21-\x7e]{1,128}$/.test(value) ? value : undefined;
}

function timeOf(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

const inventoryLevelPayload = z.object({
  inventory_item_id: id,
  location_id: id,
  available: z.number().int().nullable(),
});

/** inventory_levels/update -> the stock report ExternalStockIntake takes (ref as the adapter writes it), or null. */
export function stockReportFromWebhook(storeId: string, payload: unknown): { storeId: string; ref: string; available: number } | null {
  const parsed = inventoryLevelPayload.safeParse(payload);
  if (!parsed.success || parsed.data.available === null) return null;
  const { inventory_item_id: item, location_id: location, available } = parsed.data;
  return { storeId, ref: stockRef({ inventoryItemId: gid("InventoryItem", item), locationId: gid("Location", location) }), available };
}

const productPayload = z.object({ variants: z.array(z.object({ id, inventory_item_id: id.nullish() })).nullish() });

/** products/update -> variant gid to inventory item gid, for each variant of the product. */
export function variantItemsFromProduct(payload: unknown): Map<string, string> {
  const parsed = productPayload.safeParse(payload);
  const pairs = new Map<string, string>();
  for (const variant of parsed.success ? (parsed.data.variants ?? []) : []) {
    if (variant.inventory_item_id) pairs.set(gid("ProductVariant", variant.id), gid("InventoryItem", variant.inventory_item_id));
  }
  return pairs;
}

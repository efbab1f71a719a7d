import { createHmac, timingSafeEqual } from "node:crypto";

import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { IntakeResult, OrderEvent } from "../../core/orders/index.ts";
import { orderEventsFromWooWebhook, stockReportFromWooWebhook, wooOrderRefs } from "../../platforms/woocommerce/webhooks.ts";
import { parseJson, readRaw } from "../body.ts";
import { HttpError } from "../HttpError.ts";
import { sendJson } from "../respond.ts";
import type { RequestContext, Route } from "../router.ts";

export interface WooWebhookDeps {
  /** The store's webhook secret (sealed with its credentials), or null: unknown, uninstalled or none set. */
  secretOf(storeId: string): Promise<string | null>;
  /** The sale item a WooCommerce ref is in this store's running (or recently ended) sales, newest sale first. */
  itemsForRef(storeId: string, ref: string): Promise<{ saleId: string; itemId: string }[]>;
  /** Null until the worker's producers exist (npm start wires them once it runs). */
  intake(): { enqueue(event: OrderEvent): Promise<IntakeResult> } | null;
  stockIntake(): { receive(report: { storeId: string; ref: string; available: number }): Promise<unknown> } | null;
  clock: Clock;
  logger: Logger;
}

/** Orders with many lines stay well under this; anything larger is not a WooCommerce order. */
const BODY_LIMIT_BYTES = 1024 * 1024;
const STORE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const PING = /^webhook_id=\d{1,20}$/;

/**
 * POST /v1/webhooks/woocommerce/{storeId}: the delivery URL a merchant gives WooCommerce's
 * webhooks (topics order.created, order.updated, product.updated). Checked before anything:
 * X-WC-Webhook-Signature, base64 HMAC-SHA256 of the raw body with the store's webhook secret,
 * compared in constant time. Orders become order events on the queue (answered at once, the
 * worker does the rest); stock changes go to the write-back's external-change intake.
 */
export function wooWebhookRoutes(deps: WooWebhookDeps): Route[] {
  return [{ method: "POST", path: "/v1/webhooks/woocommerce/:storeId", handler: (ctx) => receive(deps, ctx) }];
}

async function receive(deps: WooWebhookDeps, { req, res, params }: RequestContext): Promise<void> {
  const storeId = params.storeId as string;
  const raw = await readRaw(req, BODY_LIMIT_BYTES);
  // WooCommerce pings a new webhook with `webhook_id=N` and keeps it only on a 2xx; the ping changes nothing.
  if (PING.test(raw.toString("latin1"))) return sendJson(res, 200, { received: "ping" });
  const secret = STORE_ID.test(storeId) ? await deps.secretOf(storeId) : null;
  if (secret === null) {
    throw new HttpError(401, "webhook_not_configured", "No WooCommerce store with a webhook secret has this id; save the secret with the store's credentials, then use this URL.");
  }
  if (!signatureMatches(req.headers["x-wc-webhook-signature"], raw, secret)) {
    throw new HttpError(401, "webhook_signature_invalid", "X-WC-Webhook-Signature does not match the body; check the webhook's secret in WooCommerce.");
  }
  const topic = String(req.headers["x-wc-webhook-topic"] ?? "");
  const payload = parseJson(raw);
  if (topic === "order.created" || topic === "order.updated") return sendJson(res, 200, await receiveOrder(deps, storeId, payload));
  if (topic === "product.updated") {
    const report = stockReportFromWooWebhook(storeId, payload);
    if (report) await requireReady(deps.stockIntake()).receive(report);
    return sendJson(res, 200, { received: report ? "stock" : "ignored" });
  }
  // Other topics change nothing here; a 2xx keeps WooCommerce from disabling the webhook.
  sendJson(res, 200, { received: "ignored", topic });
}

async function receiveOrder(deps: WooWebhookDeps, storeId: string, payload: unknown): Promise<Record<string, unknown>> {
  const items = new Map<string, { saleId: string; itemId: string }>();
  for (const ref of new Set(wooOrderRefs(payload))) {
    const [newest] = await deps.itemsForRef(storeId, ref);
    if (newest) items.set(ref, newest);
  }
  const mapping = orderEventsFromWooWebhook({ storeId, payload, itemOf: (ref) => items.get(ref), now: deps.clock.now() });
  if (mapping.outcome === "malformed") throw new HttpError(400, "invalid_order_payload", `The order payload is not a WooCommerce order: ${mapping.reason}.`);
  if (mapping.outcome === "ignored") return { received: "ignored", reason: mapping.reason };
  const intake = requireReady(deps.intake());
  const results = [];
  for (const event of mapping.events) results.push(await intake.enqueue(event));
  deps.logger.info("woocommerce order webhook", { storeId, orderRef: mapping.orderRef, events: mapping.events.length });
  return { received: "order", orderRef: mapping.orderRef, events: results.length };
}

function requireReady<T>(part: T | null): T {
  if (part === null) throw new HttpError(503, "not_ready", "The order queue is not running yet; WooCommerce retries the delivery.", { "retry-after": "5" });
  return part;
}

function signatureMatches(header: string | string[] | undefined, raw: Buffer, secret: string): boolean {
  if (typeof header !== "string" || !/^[A-Za-z0-9+/]{43}=$/.test(header)) return false;
  const expected = createHmac("sha256", secret).update(raw).digest();
  return timingSafeEqual(Buffer.from(header, "base64"), expected);
}

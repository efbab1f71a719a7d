import { createHmac, timingSafeEqual } from "node:crypto";

import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { Delivery, DeliveryInbox, DeliveryOutcome, DrainResult, IntakeResult, OrderEvent } from "../../core/orders/index.ts";
import { orderEventsFromWooWebhook, stockReportFromWooWebhook, wooOrderRefs } from "../../platforms/woocommerce/webhooks.ts";
import { readRaw } from "../body.ts";
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
  /** Where signed deliveries wait until they are processed. */
  inbox: DeliveryInbox;
  clock: Clock;
  logger: Logger;
}

/** Orders with many lines stay well under this; anything larger is not a WooCommerce order. */
const BODY_LIMIT_BYTES = 1024 * 1024;
const STORE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const PING = /^webhook_id=\d{1,20}$/;

/**
 * POST /v1/webhooks/woocommerce/{storeId}: the delivery URL of the webhooks the plugin's Connect
 * step creates (topics order.created, order.updated, product.updated). Checked before anything:
 * X-WC-Webhook-Signature, base64 HMAC-SHA256 of the raw body with the store's webhook secret,
 * compared in constant time; only that is ever refused (401). A signed delivery is persisted in
 * the inbox before it is answered, then processed at once when the queue runs (200) or later by
 * the drainer (202): WooCommerce counts any other answer as a failure and disables the webhook
 * after five. A signed payload that is not what its topic says is recorded with the reason,
 * logged and answered 200: sending it again would not make it valid.
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
    throw new HttpError(
      401,
      "webhook_not_configured",
      "No WooCommerce store with a webhook secret has this id; run Connect in the Holdfast plugin (or save the secret with the store's credentials), then use this URL.",
    );
  }
  if (!signatureMatches(req.headers["x-wc-webhook-signature"], raw, secret)) {
    throw new HttpError(401, "webhook_signature_invalid", "X-WC-Webhook-Signature does not match the body; check the webhook's secret in WooCommerce.");
  }
  const delivery = { storeId, topic: String(req.headers["x-wc-webhook-topic"] ?? ""), body: raw.toString("utf8"), receivedAt: deps.clock.now() };
  const id = await deps.inbox.add(delivery);
  let outcome: DeliveryOutcome;
  try {
    outcome = await processWooDelivery(deps, delivery);
  } catch (error) {
    // Kept in the inbox: the drainer tries again; WooCommerce must not count a failure.
    deps.logger.warn("woocommerce delivery kept for later", { storeId, deliveryId: id, error: error instanceof Error ? error.message : String(error) });
    return sendJson(res, 202, { received: "queued" });
  }
  if (outcome.outcome === "not_ready") return sendJson(res, 202, { received: "queued" });
  if (outcome.outcome === "malformed") {
    await deps.inbox.reject({ ...delivery, id }, outcome.reason);
    logRejected(deps.logger, storeId, delivery.topic, outcome.reason);
    return sendJson(res, 200, { received: "malformed", reason: outcome.reason });
  }
  await deps.inbox.done(id);
  sendJson(res, 200, outcome.answer);
}

/** Processes deliveries the route kept (queue not ready, or an error); npm start runs it every second. */
export function drainWooDeliveries(deps: WooWebhookDeps): Promise<DrainResult> {
  return deps.inbox.drain(
    (delivery) => processWooDelivery(deps, delivery),
    (delivery, reason) => logRejected(deps.logger, delivery.storeId, delivery.topic, reason),
  );
}

function logRejected(logger: Logger, storeId: string, topic: string, reason: string): void {
  logger.warn("woocommerce delivery recorded as malformed", { storeId, topic, reason });
}

/** One delivery's effect; throws only for failures worth retrying (Redis, SQL). */
export async function processWooDelivery(deps: WooWebhookDeps, delivery: Delivery): Promise<DeliveryOutcome> {
  let payload: unknown;
  try {
    payload = JSON.parse(delivery.body) as unknown;
  } catch {
    return { outcome: "malformed", reason: "the body is not JSON" };
  }
  if (delivery.topic === "order.created" || delivery.topic === "order.updated") return receiveOrder(deps, delivery.storeId, payload);
  if (delivery.topic === "product.updated") {
    const report = stockReportFromWooWebhook(delivery.storeId, payload);
    if (!report) return { outcome: "processed", answer: { received: "ignored" } };
    const stock = deps.stockIntake();
    if (!stock) return { outcome: "not_ready" };
    await stock.receive(report);
    return { outcome: "processed", answer: { received: "stock" } };
  }
  // Other topics change nothing here; a 2xx keeps WooCommerce from disabling the webhook.
  return { outcome: "processed", answer: { received: "ignored", topic: delivery.topic } };
}

async function receiveOrder(deps: WooWebhookDeps, storeId: string, payload: unknown): Promise<DeliveryOutcome> {
  const items = new Map<string, { saleId: string; itemId: string }>();
  for (const ref of new Set(wooOrderRefs(payload))) {
    const [newest] = await deps.itemsForRef(storeId, ref);
    if (newest) items.set(ref, newest);
  }
  const mapping = orderEventsFromWooWebhook({ storeId, payload, itemOf: (ref) => items.get(ref), now: deps.clock.now() });
  if (mapping.outcome === "malformed") return { outcome: "malformed", reason: `not a WooCommerce order: ${mapping.reason}` };
  if (mapping.outcome === "ignored") return { outcome: "processed", answer: { received: "ignored", reason: mapping.reason } };
  const intake = deps.intake();
  if (!intake) return { outcome: "not_ready" };
  const results = [];
  for (const event of mapping.events) results.push(await intake.enqueue(event));
  deps.logger.info("woocommerce order webhook", { storeId, orderRef: mapping.orderRef, events: mapping.events.length });
  return { outcome: "processed", answer: { received: "order", orderRef: mapping.orderRef, events: results.length } };
}

function signatureMatches(header: string | string[] | undefined, raw: Buffer, secret: string): boolean {
  if (typeof header !== "string" || !/^[A-Za-z0-9+/]{43}=$/.test(header)) return false;
  const expected = createHmac("sha256", secret).update(raw).digest();
  return timingSafeEqual(Buffer.from(header, "base64"), expected);
}

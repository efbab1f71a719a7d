import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import { digest } from "../../core/queues/index.ts";
import type { Delivery, DeliveryInbox, DeliveryOutcome, DrainResult, PlatformEvent } from "../../core/orders/index.ts";
import { stockReportFromWooWebhook } from "../../platforms/woocommerce/webhooks.ts";
import { webhookSignatureMatches } from "../../platforms/webhookSignature.ts";
import { readRaw } from "../body.ts";
import { HttpError } from "../HttpError.ts";
import { sendJson } from "../respond.ts";
import type { RequestContext, Route } from "../router.ts";

export interface WooWebhookDeps {
  /** The store's webhook secret (sealed with its credentials), or null: unknown, uninstalled or none set. */
  secretOf(storeId: string): Promise<string | null>;
  /** Where verified deliveries (orders, stock changes) go, raw (the worker reads them); null until the worker's producers exist. */
  events(): { enqueue(event: PlatformEvent): Promise<unknown> } | null;
  /** Where signed deliveries wait until they are enqueued or processed. */
  inbox: DeliveryInbox;
  clock: Clock;
  logger: Logger;
}

/** Orders with many lines stay well under this; anything larger is not a WooCommerce order. */
const BODY_LIMIT_BYTES = 1024 * 1024;
const STORE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const PING = /^webhook_id=\d{1,20}$/;
const DELIVERY_ID = /^[A-Za-z0-9_.-]{1,128}$/;
const ORDER_TOPICS = new Set(["order.created", "order.updated"]);
const STOCK_TOPIC = "product.updated";

/**
 * POST /v1/webhooks/woocommerce/{storeId}: the delivery URL of the webhooks the plugin's Connect
 * step creates (topics order.created, order.updated, product.updated). Checked before anything:
 * X-WC-Webhook-Signature, base64 HMAC-SHA256 of the raw body with the store's webhook secret,
 * compared in constant time; only that is ever refused (401). A signed delivery is persisted in
 * the inbox before it is answered; an order or a stock change is then enqueued raw on the
 * platform-events queue (200; the worker reads it, with SQL, and dead-letters one that is not
 * what its topic says); when the queue is not ready the drainer does it later (202). A
 * product.updated that the adapter reads no stock level in (stock not managed, another kind of
 * edit: most of them) is answered without queueing, from its bytes alone. WooCommerce counts
 * any other answer as a failure and disables the webhook after five.
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
  if (!webhookSignatureMatches(req.headers["x-wc-webhook-signature"], raw, secret)) {
    throw new HttpError(401, "webhook_signature_invalid", "X-WC-Webhook-Signature does not match the body; check the webhook's secret in WooCommerce.");
  }
  const topic = String(req.headers["x-wc-webhook-topic"] ?? "");
  // Other topics change nothing here; a 2xx keeps WooCommerce from disabling the webhook.
  if (!ORDER_TOPICS.has(topic) && topic !== STOCK_TOPIC) return sendJson(res, 200, { received: "ignored", topic });
  const body = raw.toString("utf8");
  const header = req.headers["x-wc-webhook-delivery-id"];
  // WooCommerce names each delivery; without a usable name, the same bytes are the same delivery.
  const webhookId = typeof header === "string" && DELIVERY_ID.test(header) ? header : `body-${digest(`${topic}\n${body}`)}`;
  const delivery = { storeId, topic, webhookId, body, receivedAt: deps.clock.now() };
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
  await deps.inbox.done(id);
  sendJson(res, 200, outcome.answer);
}

/** Processes deliveries the route kept (queue not ready, or an error); npm start runs it every second. */
export function drainWooDeliveries(deps: WooWebhookDeps): Promise<DrainResult> {
  return deps.inbox.drain((delivery) => processWooDelivery(deps, delivery));
}

/** One delivery's way onto the platform-events queue; throws only for failures worth retrying (Redis). */
export async function processWooDelivery(deps: WooWebhookDeps, delivery: Delivery): Promise<DeliveryOutcome> {
  const isOrder = ORDER_TOPICS.has(delivery.topic);
  if (!isOrder && !stockReportFromWooWebhook(delivery.storeId, jsonOf(delivery.body))) return { outcome: "processed", answer: { received: "ignored" } };
  const events = deps.events();
  if (!events) return { outcome: "not_ready" };
  const { storeId, topic, webhookId, body, receivedAt } = delivery;
  await events.enqueue({ platform: "woocommerce", topic, shop: storeId, webhookId, body, receivedAt });
  return { outcome: "processed", answer: { received: isOrder ? "order" : "stock" } };
}

function jsonOf(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return null;
  }
}

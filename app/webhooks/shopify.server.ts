/**
 * What each Shopify webhook route does. Every delivery is verified first (X-Shopify-Hmac-Sha256,
 * with the app's secret: no SQL, no session); one that fails is refused with 401 and changes
 * nothing. Orders, stock levels (inventory_levels/update) and products (products/update) are
 * then enqueued raw on the platform-events queue and answered: no SQL, no Redis read and no
 * Admin API call before the 200 (Shopify gives up after 5 s and retries for 48 hours); the
 * worker reads them through the PlatformOrders port (webhooks/platformOrders.server.ts). When
 * the queue cannot take a delivery the answer is 503, so Shopify delivers it again.
 *
 * app/uninstalled, app/scopes_update and the three privacy topics stay synchronous: each is one shop's rare,
 * bounded clean-up (a few SQL rows and that shop's Redis keys), never part of a drop's burst,
 * so it fits in Shopify's 5 s. Done before the answer, a 200 means the work is finished (an
 * uninstalled shop's running sales end at once; a redaction has no second place to be lost
 * from), and a failure answers 5xx, which Shopify delivers again.
 */
import type { AppLoadContext } from "@remix-run/node";

import { shopifyCustomerRef } from "../platforms/shopify/webhooks.ts";
import { webhookSignatureMatches } from "../platforms/webhookSignature.ts";
import type { HoldfastContext } from "../web/context.server.ts";
import { ShopifyNotConfiguredError, shopifyWebhookSecret } from "../shopify.server.ts";
import { uninstallShopifyShop, updateShopifyScopes } from "../stores/shopifyStores.server.ts";
import { recordCustomerDataRequest, redactCustomer, redactShop } from "../stores/privacy.server.ts";

/** Topics as routes name them (X-Shopify-Topic, upper-cased with underscores, as Shopify's library does). */
export type WebhookTopic =
  | "APP_UNINSTALLED"
  | "APP_SCOPES_UPDATE"
  | "ORDERS_CREATE"
  | "ORDERS_CANCELLED"
  | "INVENTORY_LEVELS_UPDATE"
  | "PRODUCTS_UPDATE"
  | "CUSTOMERS_DATA_REQUEST"
  | "CUSTOMERS_REDACT"
  | "SHOP_REDACT";

interface Verified {
  /** As Shopify sends it: "orders/create". */
  topic: string;
  shop: string;
  webhookId: string;
  eventId: string | undefined;
  body: string;
}

function errorResponse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

const ok = () => new Response(null, { status: 200 });

/** The loader of every webhooks.* route: Shopify only ever POSTs there. */
export const webhookLoader = () =>
  Response.json({ error: { code: "method_not_allowed", message: "Webhooks are delivered with POST." } }, { status: 405, headers: { allow: "POST" } });

/** X-Shopify-Topic as the routes name it: "orders/create" -> "ORDERS_CREATE". */
function routeTopic(topic: string): string {
  return topic.toUpperCase().replace(/[/.]/g, "_");
}

/** Checks the signature and Shopify's headers; a Response is the refusal to send. */
async function verify(request: Request): Promise<Verified | Response> {
  if (request.method !== "POST") return webhookLoader();
  const hmac = request.headers.get("x-shopify-hmac-sha256");
  if (!hmac) return errorResponse(401, "webhook_signature_missing", "Webhooks must carry Shopify's X-Shopify-Hmac-Sha256 signature.");
  let secret: string;
  try {
    secret = shopifyWebhookSecret();
  } catch (error) {
    if (error instanceof ShopifyNotConfiguredError) return errorResponse(401, "shopify_not_configured", `${error.message}; webhooks cannot be verified`);
    throw error;
  }
  const raw = Buffer.from(await request.arrayBuffer());
  if (!webhookSignatureMatches(hmac, raw, secret)) {
    return errorResponse(401, "webhook_signature_invalid", "This webhook is not signed by Shopify for this app.");
  }
  const topic = request.headers.get("x-shopify-topic");
  const shop = request.headers.get("x-shopify-shop-domain");
  const webhookId = request.headers.get("x-shopify-webhook-id");
  if (!topic || !shop || !webhookId) {
    return errorResponse(400, "webhook_malformed", "This webhook lacks Shopify's X-Shopify-Topic, X-Shopify-Shop-Domain or X-Shopify-Webhook-Id header.");
  }
  return { topic, shop, webhookId, eventId: request.headers.get("x-shopify-event-id") ?? undefined, body: raw.toString("utf8") };
}

/** The action of every webhooks.* route: verify, check the topic belongs to the route, handle. */
export async function receiveWebhook(request: Request, context: AppLoadContext, expected: WebhookTopic): Promise<Response> {
  const verified = await verify(request);
  if (verified instanceof Response) return verified;
  if (routeTopic(verified.topic) !== expected) {
    return errorResponse(
      400,
      "webhook_topic_mismatch",
      `This address receives ${expected}, not ${routeTopic(verified.topic)}; check the subscriptions in shopify.app.toml.`,
    );
  }
  const holdfast = context.holdfast;
  const payload = jsonOf(verified.body);
  switch (expected) {
    // The platform-events worker reads these; the others are done before the answer (see above).
    case "ORDERS_CREATE":
    case "ORDERS_CANCELLED":
    case "INVENTORY_LEVELS_UPDATE":
    case "PRODUCTS_UPDATE":
      return enqueueEvent(holdfast, verified);
    case "APP_UNINSTALLED": {
      const result = await uninstallShopifyShop(holdfast, verified.shop);
      holdfast.logger.info("shopify app uninstalled", { shop: verified.shop, ...result });
      return ok();
    }
    case "APP_SCOPES_UPDATE":
      return scopesWebhook(holdfast, verified.shop, payload);
    case "CUSTOMERS_DATA_REQUEST": {
      const { customer, orders } = compliancePayload(payload);
      // Kept sealed for the merchant to download from the admin (Privacy requests); never logged.
      const reportId = await recordCustomerDataRequest({ ...holdfast, masterKey: holdfast.masterKey.key }, verified.shop, customer, orders);
      holdfast.logger.info("customer data request recorded", { shop: verified.shop, reportId });
      return ok();
    }
    case "CUSTOMERS_REDACT": {
      const { customer, orders } = compliancePayload(payload);
      const result = await redactCustomer(holdfast, verified.shop, customer, orders);
      holdfast.logger.info("customer redacted", { shop: verified.shop, ...result });
      return ok();
    }
    case "SHOP_REDACT": {
      const result = await redactShop(holdfast, verified.shop);
      holdfast.logger.info("shop redacted", { shop: verified.shop, ...result });
      return ok();
    }
  }
}

/** A payload that is not JSON reads as an empty one: each handler's own checks then find nothing to do. */
function jsonOf(body: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(body) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function compliancePayload(payload: Record<string, unknown>): { customer: string; orders: string[] } {
  const customer = payload.customer as { id?: unknown } | undefined;
  const ids = Array.isArray(payload.orders_requested) ? payload.orders_requested : Array.isArray(payload.orders_to_redact) ? payload.orders_to_redact : [];
  return {
    customer: shopifyCustomerRef(String(customer?.id ?? "unknown")),
    orders: ids
      .filter((value): value is number | string => typeof value === "number" || typeof value === "string")
      .map((value) => `gid://shopify/Order/${value}`),
  };
}

/** Verified -> the platform-events queue, raw, once per webhook id; the worker does the rest. */
async function enqueueEvent(holdfast: HoldfastContext, webhook: Verified): Promise<Response> {
  try {
    await holdfast.platformEvents.enqueue({
      platform: "shopify",
      topic: webhook.topic,
      shop: webhook.shop,
      webhookId: webhook.webhookId,
      ...(webhook.eventId === undefined ? {} : { eventId: webhook.eventId }),
      body: webhook.body,
      receivedAt: Date.now(),
    });
  } catch (error) {
    holdfast.logger.error("webhook not enqueued; Shopify will deliver it again", {
      shop: webhook.shop,
      topic: webhook.topic,
      webhookId: webhook.webhookId,
      error: error instanceof Error ? error.message : String(error),
    });
    return errorResponse(503, "queue_unavailable", "The platform-events queue cannot take this webhook now; Shopify delivers it again later.");
  }
  return ok();
}

/** `current`: the scopes granted now (`previous`, the ones before, is not needed). */
async function scopesWebhook(holdfast: HoldfastContext, shop: string, payload: Record<string, unknown>): Promise<Response> {
  const current = payload.current;
  if (!Array.isArray(current) || !current.every((scope): scope is string => typeof scope === "string")) {
    return errorResponse(400, "webhook_payload_invalid", "An app/scopes_update payload lists the granted scopes in `current`, an array of strings.");
  }
  const updated = await updateShopifyScopes(holdfast.db, shop, current);
  holdfast.logger.info("shopify scopes updated", { shop, scopes: current.join(","), sessionFound: updated });
  return ok();
}

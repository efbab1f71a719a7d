/**
 * What each Shopify webhook route does once `authenticate.webhook` has verified it. The rule
 * for all of them: answer within milliseconds (Shopify gives up after 5 s and retries for
 * 48 hours), so order events are only mapped and enqueued here; the order worker does the
 * rest. A webhook that fails verification is refused with 401 and changes nothing.
 */
import type { AppLoadContext } from "@remix-run/node";

import type { OrderEvent } from "../core/orders/index.ts";
import { PrismaSyncCatalog } from "../db/PrismaSyncCatalog.ts";
import { parseStockRef } from "../platforms/shopify/refs.ts";
import { VARIANTS_OF_ITEMS, type VariantsOfItemsData } from "../platforms/shopify/documents.ts";
import {
  orderEventsFromWebhook,
  orderVariants,
  shopifyCustomerRef,
  stockReportFromWebhook,
  variantItemsFromProduct,
  type DropItem,
} from "../platforms/shopify/webhooks.ts";
import type { HoldfastContext } from "../web/context.server.ts";
import { authenticate, ShopifyNotConfiguredError } from "../shopify.server.ts";
import { findShopifyStore, uninstallShopifyShop } from "../stores/shopifyStores.server.ts";
import { recordCustomerDataRequest, redactCustomer, redactShop } from "../stores/privacy.server.ts";
import { shopifyItemVariantKey } from "../core/keys.ts";

/** Topics as the library reports them (X-Shopify-Topic, upper-cased with underscores). */
export type WebhookTopic =
  | "APP_UNINSTALLED"
  | "ORDERS_CREATE"
  | "ORDERS_CANCELLED"
  | "INVENTORY_LEVELS_UPDATE"
  | "PRODUCTS_UPDATE"
  | "CUSTOMERS_DATA_REQUEST"
  | "CUSTOMERS_REDACT"
  | "SHOP_REDACT";

interface AdminClient {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

interface Verified {
  topic: string;
  shop: string;
  eventId: string;
  payload: Record<string, unknown>;
  admin: AdminClient | undefined;
}

function errorResponse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

const ok = () => new Response(null, { status: 200 });

/** The loader of every webhooks.* route: Shopify only ever POSTs there. */
export const webhookLoader = () =>
  Response.json({ error: { code: "method_not_allowed", message: "Webhooks are delivered with POST." } }, { status: 405, headers: { allow: "POST" } });

/** The action of every webhooks.* route: verify, check the topic belongs to the route, handle. */
export async function receiveWebhook(request: Request, context: AppLoadContext, expected: WebhookTopic): Promise<Response> {
  if (!request.headers.get("x-shopify-hmac-sha256")) {
    return errorResponse(401, "webhook_signature_missing", "Webhooks must carry Shopify's X-Shopify-Hmac-Sha256 signature.");
  }
  let verified: Verified;
  try {
    const webhook = await authenticate.webhook(request);
    verified = {
      topic: String(webhook.topic),
      shop: webhook.shop,
      eventId: webhook.eventId ?? webhook.webhookId,
      payload: webhook.payload as Record<string, unknown>,
      admin: webhook.admin as AdminClient | undefined,
    };
  } catch (error) {
    if (error instanceof ShopifyNotConfiguredError) return errorResponse(401, "shopify_not_configured", `${error.message}; webhooks cannot be verified`);
    if (error instanceof Response) {
      // The library answers 401 (bad or missing HMAC), 400 (missing headers) or 405.
      const code = error.status === 401 ? "webhook_signature_invalid" : error.status === 405 ? "method_not_allowed" : "webhook_malformed";
      return errorResponse(error.status, code, "This webhook is not signed by Shopify for this app, or lacks Shopify's headers.");
    }
    throw error;
  }
  if (verified.topic !== expected) {
    return errorResponse(
      400,
      "webhook_topic_mismatch",
      `This address receives ${expected}, not ${verified.topic}; check the subscriptions in shopify.app.toml.`,
    );
  }
  const holdfast = context.holdfast;
  switch (expected) {
    case "ORDERS_CREATE":
    case "ORDERS_CANCELLED":
      return orderWebhook(holdfast, verified, expected === "ORDERS_CREATE" ? "orders/create" : "orders/cancelled");
    case "INVENTORY_LEVELS_UPDATE":
      return inventoryWebhook(holdfast, verified);
    case "PRODUCTS_UPDATE": {
      const store = await findShopifyStore(holdfast.db, verified.shop);
      if (store) await rememberVariants(holdfast, store.id, variantItemsFromProduct(verified.payload));
      return ok();
    }
    case "APP_UNINSTALLED": {
      const result = await uninstallShopifyShop(holdfast, verified.shop);
      holdfast.logger.info("shopify app uninstalled", { shop: verified.shop, ...result });
      return ok();
    }
    case "CUSTOMERS_DATA_REQUEST": {
      const { customer, orders } = compliancePayload(verified.payload);
      // Kept sealed for the merchant to download from the admin (Privacy requests); never logged.
      const reportId = await recordCustomerDataRequest({ ...holdfast, masterKey: holdfast.masterKey.key }, verified.shop, customer, orders);
      holdfast.logger.info("customer data request recorded", { shop: verified.shop, reportId });
      return ok();
    }
    case "CUSTOMERS_REDACT": {
      const { customer, orders } = compliancePayload(verified.payload);
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

async function orderWebhook(holdfast: HoldfastContext, webhook: Verified, topic: "orders/create" | "orders/cancelled"): Promise<Response> {
  const store = await findShopifyStore(holdfast.db, webhook.shop);
  if (!store) {
    holdfast.logger.warn("order webhook for a shop without a store record; ignored", { shop: webhook.shop, topic });
    return ok();
  }
  const items = await dropItemsOf(holdfast, store.id, orderVariants(webhook.payload), webhook.admin);
  const mapping = orderEventsFromWebhook({
    topic,
    eventId: webhook.eventId,
    storeId: store.id,
    payload: webhook.payload,
    itemOf: (variant) => items.get(variant),
    now: Date.now(),
  });
  if (mapping.outcome === "malformed") {
    // A retry would bring the same payload: acknowledge, and say why nothing happened.
    holdfast.logger.error("order webhook payload not understood; ignored", { shop: webhook.shop, topic, eventId: webhook.eventId, reason: mapping.reason });
    return ok();
  }
  await Promise.all(mapping.events.map((event: OrderEvent) => holdfast.intake.enqueue(event)));
  return ok();
}

async function inventoryWebhook(holdfast: HoldfastContext, webhook: Verified): Promise<Response> {
  const store = await findShopifyStore(holdfast.db, webhook.shop);
  const report = store ? stockReportFromWebhook(store.id, webhook.payload) : null;
  if (!report) return ok();
  if (holdfast.stockIntake) await holdfast.stockIntake.receive(report);
  else holdfast.logger.warn("stock report received but no stock intake is wired; ignored", { shop: webhook.shop, ref: report.ref });
  return ok();
}

// ---------------------------------------------------------------------------------------
// Which drop item an order line is. Sale items name Shopify stock as "<InventoryItem gid>@<Location
// gid>", order lines name a variant; each inventory item has exactly one variant, learned once
// (products/update payloads, or one Admin API call for items never seen) and kept in Redis.

async function rememberVariants(holdfast: HoldfastContext, storeId: string, variantToItem: Map<string, string>): Promise<void> {
  if (variantToItem.size === 0) return;
  const fields: string[] = [];
  for (const [variant, item] of variantToItem) fields.push(item, variant);
  await holdfast.redis.hset(shopifyItemVariantKey(storeId), ...fields);
}

/** variant gid -> drop item, for the variants of one order (most recent sale first when an item is in two). */
async function dropItemsOf(holdfast: HoldfastContext, storeId: string, variants: string[], admin: AdminClient | undefined): Promise<Map<string, DropItem>> {
  const found = new Map<string, DropItem>();
  if (variants.length === 0) return found;
  const rows = await new PrismaSyncCatalog(holdfast.db).dropItems(storeId);
  const itemsOfInventoryItem = new Map<string, DropItem[]>();
  for (const row of rows) {
    let inventoryItem: string;
    try {
      inventoryItem = parseStockRef(row.platformRef).inventoryItemId;
    } catch {
      continue;
    }
    itemsOfInventoryItem.set(inventoryItem, [...(itemsOfInventoryItem.get(inventoryItem) ?? []), { saleId: row.saleId, itemId: row.itemId }]);
  }
  const inventoryItems = [...itemsOfInventoryItem.keys()];
  if (inventoryItems.length === 0) return found;
  const known = await holdfast.redis.hmget(shopifyItemVariantKey(storeId), ...inventoryItems);
  const variantOf = new Map<string, string>();
  const unknown: string[] = [];
  inventoryItems.forEach((item, i) => (known[i] ? variantOf.set(item, known[i] as string) : unknown.push(item)));
  if (unknown.length > 0 && admin) {
    const learned = await variantsOfItems(admin, unknown.slice(0, 250));
    for (const [item, variant] of learned) variantOf.set(item, variant);
    await rememberVariants(holdfast, storeId, new Map([...learned].map(([item, variant]) => [variant, item])));
  }
  const wanted = new Set(variants);
  for (const [item, variant] of variantOf) {
    const first = itemsOfInventoryItem.get(item)?.[0];
    if (first && wanted.has(variant)) found.set(variant, first);
  }
  return found;
}

async function variantsOfItems(admin: AdminClient, itemIds: string[]): Promise<Map<string, string>> {
  const response = await admin.graphql(VARIANTS_OF_ITEMS.document, { variables: { itemIds } });
  const body = (await response.json()) as { data?: VariantsOfItemsData };
  const pairs = new Map<string, string>();
  for (const node of body.data?.nodes ?? []) {
    if (node && "id" in node && typeof node.id === "string") {
      const variant = node.variants.nodes[0]?.id;
      if (variant) pairs.set(node.id, variant);
    }
  }
  return pairs;
}

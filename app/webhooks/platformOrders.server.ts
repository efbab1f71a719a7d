/**
 * The platform-events worker's one way to read what platforms send (core/orders' PlatformOrders
 * port), for Shopify and WooCommerce alike: each adapter reads its payload, and every order
 * line is looked up in the same catalog query (PrismaSyncCatalog.dropItems: the sale states an
 * order can belong to, the most recently started sale first); stock levels are read by the
 * adapters too, and Shopify's products/update teaches the inventory item -> variant cache.
 * Runs in the worker, never before a webhook's answer: it reads SQL and may call Shopify's
 * Admin API.
 */
import type {
  DropItem,
  EventPlatform,
  OrderPayload,
  PlatformEvent,
  PlatformOrderMapping,
  PlatformOrders,
  PlatformTopicKind,
  StockLevel,
} from "../core/orders/index.ts";
import type { RedisClient } from "../core/redis.ts";
import { shopifyItemVariantKey } from "../core/keys.ts";
import type { Db } from "../db/client.server.ts";
import { PrismaSyncCatalog, type DropItemRef } from "../db/PrismaSyncCatalog.ts";
import { VARIANTS_OF_ITEMS, type VariantsOfItemsData, type VariantsOfItemsVariables } from "../platforms/shopify/documents.ts";
import { parseStockRef } from "../platforms/shopify/refs.ts";
import { variantsOfItems } from "../platforms/shopify/variants.ts";
import { orderEventsFromWebhook, orderVariants, stockReportFromWebhook, variantItemsFromProduct } from "../platforms/shopify/webhooks.ts";
import { orderEventsFromWooWebhook, stockReportFromWooWebhook, wooOrderRefs } from "../platforms/woocommerce/webhooks.ts";
import { findShopifyStore } from "../stores/shopifyStores.server.ts";

/** What the worker needs of a shop's Admin API: one GraphQL call. */
export interface AdminClient {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

export interface PlatformOrdersDeps {
  db: Db;
  redis: RedisClient;
  /** The Admin API of an installed shop (its offline session), or null when there is none (Shopify off, no session). */
  shopifyAdmin: (shop: string) => Promise<AdminClient | null>;
}

/** The topics the worker reads, per platform (WooCommerce's product.updated carries the product's stock). */
const TOPICS: Record<EventPlatform, ReadonlyMap<string, PlatformTopicKind>> = {
  shopify: new Map([
    ["orders/create", "order"],
    ["orders/cancelled", "order"],
    ["inventory_levels/update", "stock"],
    ["products/update", "product"],
  ]),
  woocommerce: new Map([
    ["order.created", "order"],
    ["order.updated", "order"],
    ["product.updated", "stock"],
  ]),
};

export class SqlPlatformOrders implements PlatformOrders {
  private readonly catalog: PrismaSyncCatalog;

  constructor(private readonly deps: PlatformOrdersDeps) {
    this.catalog = new PrismaSyncCatalog(deps.db);
  }

  async storeOf(platform: EventPlatform, shop: string): Promise<string | null> {
    // A WooCommerce delivery names its store in the URL, and was verified with that store's secret.
    if (platform === "woocommerce") return shop;
    const store = await findShopifyStore(this.deps.db, shop);
    return store?.id ?? null;
  }

  topicKind(platform: EventPlatform, topic: string): PlatformTopicKind | null {
    return TOPICS[platform].get(topic) ?? null;
  }

  stockLevel(event: PlatformEvent, storeId: string, payload: unknown): StockLevel | null {
    return event.platform === "shopify" ? stockReportFromWebhook(storeId, payload) : stockReportFromWooWebhook(storeId, payload);
  }

  async learnProduct(event: PlatformEvent, storeId: string, payload: unknown): Promise<void> {
    // WooCommerce order lines name the stock refs sale items use: nothing to learn.
    if (event.platform === "shopify") await rememberShopifyVariants(this.deps.redis, storeId, variantItemsFromProduct(payload));
  }

  lineRefs(event: PlatformEvent, payload: unknown): string[] {
    return event.platform === "shopify" ? orderVariants(payload) : wooOrderRefs(payload);
  }

  toEvents(order: OrderPayload): PlatformOrderMapping {
    const { event, storeId, payload, itemOf, now } = order;
    if (event.platform === "woocommerce") return orderEventsFromWooWebhook({ storeId, payload, itemOf, now });
    const topic = event.topic === "orders/create" ? "orders/create" : "orders/cancelled";
    // X-Shopify-Event-Id is the same for every subscription of one event; the webhook id otherwise.
    const mapping = orderEventsFromWebhook({ topic, eventId: event.eventId ?? event.webhookId, storeId, payload, itemOf, now });
    return mapping.outcome === "events" ? { outcome: "events", orderRef: mapping.orderRef, events: mapping.events } : mapping;
  }

  async dropItems(event: PlatformEvent, storeId: string, refs: readonly string[]): Promise<Map<string, DropItem>> {
    const rows = await this.catalog.dropItems(storeId);
    const refOf = event.platform === "shopify" ? await this.variantRefs(event.shop, storeId, rows) : (row: DropItemRef) => row.platformRef;
    const wanted = new Set(refs);
    const found = new Map<string, DropItem>();
    // Rows come newest sale first: the first row of a ref is the sale an order of it belongs to.
    for (const row of rows) {
      const ref = refOf(row);
      if (ref !== undefined && wanted.has(ref) && !found.has(ref)) found.set(ref, { saleId: row.saleId, itemId: row.itemId });
    }
    return found;
  }

  /**
   * Sale items name Shopify stock as "<InventoryItem gid>@<Location gid>", order lines name a
   * variant; each inventory item has exactly one variant, learned once (products/update
   * payloads, or one Admin API call for items never seen) and kept in Redis.
   */
  private async variantRefs(shop: string, storeId: string, rows: readonly DropItemRef[]): Promise<(row: DropItemRef) => string | undefined> {
    const itemOfRow = new Map<DropItemRef, string>();
    for (const row of rows) {
      try {
        itemOfRow.set(row, parseStockRef(row.platformRef).inventoryItemId);
      } catch {
        // Not a Shopify stock ref: no order line names it.
      }
    }
    const items = [...new Set(itemOfRow.values())];
    const variantOf = new Map<string, string>();
    if (items.length > 0) {
      const known = await this.deps.redis.hmget(shopifyItemVariantKey(storeId), ...items);
      items.forEach((item, i) => known[i] && variantOf.set(item, known[i]));
      const unknown = items.filter((item) => !variantOf.has(item));
      const admin = unknown.length > 0 ? await this.deps.shopifyAdmin(shop) : null;
      if (admin) {
        const learned = await variantsOfItems((variables) => adminQuery(admin, variables), unknown);
        for (const [item, variant] of learned) variantOf.set(item, variant);
        await rememberShopifyVariants(this.deps.redis, storeId, new Map([...learned].map(([item, variant]) => [variant, item])));
      }
    }
    return (row) => {
      const item = itemOfRow.get(row);
      return item === undefined ? undefined : variantOf.get(item);
    };
  }
}

/** Keeps variant -> inventory item pairs (products/update, Admin API answers) for later orders. */
async function rememberShopifyVariants(redis: RedisClient, storeId: string, variantToItem: Map<string, string>): Promise<void> {
  if (variantToItem.size === 0) return;
  const fields: string[] = [];
  for (const [variant, item] of variantToItem) fields.push(item, variant);
  await redis.hset(shopifyItemVariantKey(storeId), ...fields);
}

/** One VARIANTS_OF_ITEMS call with the shop's offline session; an answer without data is retried with the delivery. */
async function adminQuery(admin: AdminClient, variables: VariantsOfItemsVariables): Promise<VariantsOfItemsData> {
  const response = await admin.graphql(VARIANTS_OF_ITEMS.document, { variables: { ...variables } });
  const body = (await response.json()) as { data?: VariantsOfItemsData; errors?: unknown };
  if (body.data === undefined) throw new Error(`Shopify answered the variant lookup without data: ${JSON.stringify(body.errors ?? null)}`);
  return body.data;
}

// One way in for platform events: a webhook (an order, a stock level, a product) is verified
// and enqueued raw, and answered, before any SQL or platform call; the worker reads it later
// through the one PlatformOrders port, by the same rules for Shopify and WooCommerce (a signed
// but malformed order is dead-lettered with its reason, and the platform still got its 2xx).
import { createHmac, randomBytes, randomUUID } from "node:crypto";

import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { shopifyItemVariantKey, writeBackKeys } from "../../../app/core/keys.ts";
import { parseOrderEvent } from "../../../app/core/orders/index.ts";
import { QUEUE_NAMES } from "../../../app/core/queues/index.ts";
import { createDb } from "../../../app/db/client.server.ts";
import { action as inventoryLevelsUpdate } from "../../../app/routes/webhooks.inventory_levels.update.tsx";
import { action as ordersCreate } from "../../../app/routes/webhooks.orders.create.tsx";
import { action as productsUpdate } from "../../../app/routes/webhooks.products.update.tsx";
import { saveStore } from "../../../app/stores/directory.server.ts";
import { API_SECRET, routeShopTo, signedWebhook, startShopifyHarness, type ShopifyHarness } from "./harness.ts";

const WOO_SECRET = `whsec_${randomBytes(16).toString("hex")}`;
let h: ShopifyHarness;
beforeAll(async () => {
  h = await startShopifyHarness({ wooWebhooks: true });
});
afterAll(() => h?.close());

type Action = (args: ActionFunctionArgs) => Promise<Response>;

let nextOrder = 9_100_000;
function shopifyOrder(variantId: number, quantity: number) {
  const id = nextOrder++;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    created_at: "2026-12-02T12:00:00Z",
    note_attributes: [],
    line_items: [{ id: id * 10, variant_id: variantId, quantity, properties: [] }],
  };
}

async function orderEventsOf(orderRef: string) {
  return (await h.queuedOrderEvents()).filter((job) => job.data.platformOrderRef === orderRef);
}

async function deliveriesOf(webhookId: string) {
  return (await h.platformEventJobs()).filter((job) => job.data.webhookId === webhookId);
}

/** A WooCommerce store whose webhooks are signed with WOO_SECRET. */
function wooStore(): Promise<string> {
  return saveStore(h.db, h.app.masterKey.key, {
    platform: "woocommerce",
    domain: `woo-${randomBytes(3).toString("hex")}.example`,
    name: "Woo shop",
    credentials: { consumerKey: "ck_test", consumerSecret: "cs_test", webhookSecret: WOO_SECRET },
  });
}

async function deliverToWoo(storeId: string, topic: string, body: string, deliveryId: string = randomUUID()) {
  const response = await fetch(`${h.base}/v1/webhooks/woocommerce/${storeId}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-wc-webhook-topic": topic,
      "x-wc-webhook-delivery-id": deliveryId,
      "x-wc-webhook-signature": createHmac("sha256", WOO_SECRET).update(body).digest("base64"),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("Shopify orders webhook", () => {
  it("answers 200 with the database unreachable and the Admin API down, and the order is mapped once they are back", async () => {
    const { shop, storeId } = await h.installShop("ingress");
    // A sale item never seen before: mapping it needs the Admin API (its variant) and SQL (the sale).
    const sale = await h.createLiveSale(storeId, shop, [{ title: "Sneaker", allocation: 5 }]);
    const standIn = h.standInOf(shop);
    const adminCalls = standIn.shop(shop).stats.requests;
    // Nothing listens on port 9 here: every query on this client fails, as does every Admin API call.
    const unreachable = createDb("postgresql://holdfast:holdfast@127.0.0.1:9/holdfast");
    await expect(unreachable.store.count()).rejects.toThrow();
    routeShopTo(shop, "http://127.0.0.1:9");
    const context = { holdfast: { ...h.context.holdfast, db: unreachable } };
    const payload = shopifyOrder(sale.items[0]!.variantId, 2);
    const webhookId = randomUUID();
    try {
      const call = (action: Action) =>
        action({ request: signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload, webhookId }), context, params: {} });
      expect((await call(ordersCreate)).status).toBe(200);
      // Shopify delivering the same webhook again makes no second job.
      expect((await call(ordersCreate)).status).toBe(200);
      const [delivery, ...more] = await deliveriesOf(webhookId);
      expect(more).toEqual([]);
      expect(delivery?.data).toMatchObject({ platform: "shopify", topic: "orders/create", shop, webhookId, body: JSON.stringify(payload) });
      // The worker tried, found the Admin API down, and waits to try again: no order event yet.
      await expect
        .poll(async () => (await h.queues.queue(QUEUE_NAMES.platformEvents).getJob(delivery!.id))?.attemptsMade ?? 0, { timeout: 60_000 })
        .toBeGreaterThanOrEqual(1);
      expect(await orderEventsOf(payload.admin_graphql_api_id)).toEqual([]);
    } finally {
      routeShopTo(shop, standIn.url);
      await unreachable.$disconnect();
    }
    await expect.poll(async () => (await orderEventsOf(payload.admin_graphql_api_id)).length, { timeout: 60_000 }).toBe(1);
    const [job] = await orderEventsOf(payload.admin_graphql_api_id);
    expect(parseOrderEvent(job!.data)).toMatchObject({
      saleId: sale.saleId,
      storeId,
      kind: "created",
      lines: [{ itemId: sale.items[0]!.itemId, quantity: 2 }],
    });
    // The variant was learned with one Admin API call once the stand-in was back.
    expect(standIn.shop(shop).stats.requests).toBe(adminCalls + 1);
  });

  it("answers 503 when the queue cannot take the delivery, so Shopify retries it", async () => {
    const { shop } = await h.installShop("noqueue");
    const refusing = { enqueue: () => Promise.reject(new Error("Connection is closed.")) };
    const context = { holdfast: { ...h.context.holdfast, platformEvents: refusing } };
    const deliveries: [Action, string, unknown][] = [
      [ordersCreate, "orders/create", shopifyOrder(1, 1)],
      [inventoryLevelsUpdate, "inventory_levels/update", { inventory_item_id: 1, location_id: 2, available: 3 }],
      [productsUpdate, "products/update", { id: 4, variants: [{ id: 5, inventory_item_id: 1 }] }],
    ];
    for (const [action, topic, payload] of deliveries) {
      const response = await action({ request: signedWebhook(`/webhooks/${topic}`, { topic, shop, payload }), context, params: {} });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: "queue_unavailable" } });
    }
  });
});

describe("Shopify stock and product webhooks", () => {
  it("are answered 200 before any SQL (the database unreachable), and the worker applies them after", async () => {
    const { shop, storeId } = await h.installShop("stockin");
    const sale = await h.createLiveSale(storeId, shop, [
      { title: "Sneaker", allocation: 5 },
      { title: "Cap", allocation: 3 },
    ]);
    const [sneaker, cap] = sale.items as [(typeof sale.items)[0], (typeof sale.items)[0]];
    const level = { inventory_item_id: sneaker.inventoryItemId, location_id: sneaker.locationId, available: 4, updated_at: new Date().toISOString() };
    const product = { id: 99, variants: [{ id: cap.variantId, inventory_item_id: cap.inventoryItemId }] };
    const ids = { stock: randomUUID(), product: randomUUID(), stranger: randomUUID() };
    // Every query on this client fails: an answer that needed SQL could not be 200.
    const unreachable = createDb("postgresql://holdfast:holdfast@127.0.0.1:9/holdfast");
    const context = { holdfast: { ...h.context.holdfast, db: unreachable } };
    const deliver = (action: Action, topic: string, from: string, payload: unknown, webhookId: string) =>
      action({ request: signedWebhook(`/webhooks/${topic}`, { topic, shop: from, payload, webhookId }), context, params: {} });
    try {
      expect((await deliver(inventoryLevelsUpdate, "inventory_levels/update", shop, level, ids.stock)).status).toBe(200);
      expect((await deliver(productsUpdate, "products/update", shop, product, ids.product)).status).toBe(200);
      // A shop that never installed is answered the same: nothing before the answer could tell.
      const stranger = `stranger-${randomBytes(3).toString("hex")}.myshopify.com`;
      expect((await deliver(inventoryLevelsUpdate, "inventory_levels/update", stranger, level, ids.stranger)).status).toBe(200);
    } finally {
      await unreachable.$disconnect();
    }
    expect((await deliveriesOf(ids.stock)).map((job) => job.data)).toEqual([
      expect.objectContaining({ platform: "shopify", topic: "inventory_levels/update", shop, body: JSON.stringify(level) }),
    ]);
    // The worker, with the real database, hands the level to the stock intake and learns the variant.
    await expect.poll(() => h.app.redis.hget(writeBackKeys(sale.saleId).written, sneaker.itemId), { timeout: 60_000 }).toContain("4");
    await expect
      .poll(() => h.app.redis.hget(shopifyItemVariantKey(storeId), `gid://shopify/InventoryItem/${cap.inventoryItemId}`), { timeout: 60_000 })
      .toBe(`gid://shopify/ProductVariant/${cap.variantId}`);
    await h.settled(ids.stranger);
  });

  it("dead-letter a signed stock level that is not JSON with its reason, after its 200", async () => {
    const { shop } = await h.installShop("stockjunk");
    const body = "{not a level";
    const signed = signedWebhook("/webhooks/inventory_levels/update", { topic: "inventory_levels/update", shop, payload: null });
    const headers = new Headers(signed.headers);
    headers.set("x-shopify-hmac-sha256", createHmac("sha256", API_SECRET).update(body).digest("base64"));
    const response = await inventoryLevelsUpdate({ request: new Request(signed.url, { method: "POST", headers, body }), context: h.context, params: {} });
    expect(response.status).toBe(200);
    const reason = async () => (await h.deadLetters.list({ limit: 100 })).find((letter) => (letter.data as { body?: string }).body === body)?.error;
    await expect.poll(reason, { timeout: 60_000 }).toBe("malformed_payload: not a Shopify stock level (inventory_levels/update): the body is not JSON");
  });

  it("refuse a forged delivery with 401, enqueueing and changing nothing", async () => {
    const { shop, storeId } = await h.installShop("stockforged");
    const sale = await h.createLiveSale(storeId, shop, [{ title: "Sneaker", allocation: 5 }]);
    const item = sale.items[0]!;
    const level = { inventory_item_id: item.inventoryItemId, location_id: item.locationId, available: 1 };
    const product = { id: 98, variants: [{ id: item.variantId, inventory_item_id: item.inventoryItemId }] };
    const forged: [Action, string, unknown][] = [
      [inventoryLevelsUpdate, "inventory_levels/update", level],
      [productsUpdate, "products/update", product],
    ];
    for (const [action, topic, payload] of forged) {
      const webhookId = randomUUID();
      const request = signedWebhook(`/webhooks/${topic}`, { topic, shop, payload, webhookId, secret: "not-the-app-secret" });
      const response = await action({ request, context: h.context, params: {} });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: "webhook_signature_invalid" } });
      expect(await deliveriesOf(webhookId)).toEqual([]);
    }
    expect(await h.app.redis.hget(writeBackKeys(sale.saleId).written, item.itemId)).toBeNull();
    expect(await h.app.redis.hget(shopifyItemVariantKey(storeId), `gid://shopify/InventoryItem/${item.inventoryItemId}`)).toBeNull();
    expect((await h.app.holds.snapshot(sale.saleId))?.items[item.itemId]).toMatchObject({ allocated: 5, available: 5 });
  });
});

describe("WooCommerce order webhook", () => {
  it("enqueues a delivery once however often WooCommerce sends it under the same delivery id", async () => {
    const storeId = await wooStore();
    const body = JSON.stringify({ id: 4242, status: "processing", line_items: [{ product_id: 5, quantity: 1 }] });
    const deliveryId = `d-${randomBytes(6).toString("hex")}`;
    expect(await deliverToWoo(storeId, "order.created", body, deliveryId)).toMatchObject({ status: 200, body: { received: "order" } });
    expect(await deliverToWoo(storeId, "order.created", body, deliveryId)).toMatchObject({ status: 200, body: { received: "order" } });
    const jobs = await deliveriesOf(deliveryId);
    expect(jobs.map((job) => job.data)).toEqual([expect.objectContaining({ platform: "woocommerce", topic: "order.created", shop: storeId, body })]);
  });
});

describe("a signed order that is not an order", () => {
  it("is answered 2xx and dead-lettered with its reason, the same way for Shopify and WooCommerce", async () => {
    const { shop } = await h.installShop("malformed");
    const wooStoreId = await wooStore();
    const bodies = { notJson: "{not json", wrongShape: JSON.stringify({ id: "seven", line_items: "none" }) };
    const shopifyIds: Record<string, string> = {};
    for (const [name, body] of Object.entries(bodies)) {
      const signed = signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload: null });
      const headers = new Headers(signed.headers);
      headers.set("x-shopify-hmac-sha256", createHmac("sha256", API_SECRET).update(body).digest("base64"));
      shopifyIds[name] = headers.get("x-shopify-webhook-id")!;
      const response = await ordersCreate({ request: new Request(signed.url, { method: "POST", headers, body }), context: h.context, params: {} });
      expect(response.status).toBe(200);
      const woo = await deliverToWoo(wooStoreId, "order.created", body);
      expect(woo.status).toBe(200);
    }

    const letters = async () => (await h.deadLetters.list({ limit: 100 })).filter((letter) => letter.queue === QUEUE_NAMES.platformEvents);
    const reasonOf = async (platform: string, body: string) =>
      (await letters()).find(
        (letter) => (letter.data as { platform: string; body: string }).platform === platform && (letter.data as { body: string }).body === body,
      )?.error;
    for (const body of Object.values(bodies)) {
      await expect.poll(() => reasonOf("shopify", body), { timeout: 60_000 }).toBeDefined();
      await expect.poll(() => reasonOf("woocommerce", body), { timeout: 60_000 }).toBeDefined();
    }
    expect(await reasonOf("shopify", bodies.notJson)).toBe("malformed_payload: not a Shopify order (orders/create): the body is not JSON");
    expect(await reasonOf("woocommerce", bodies.notJson)).toBe("malformed_payload: not a WooCommerce order (order.created): the body is not JSON");
    expect(await reasonOf("shopify", bodies.wrongShape)).toMatch(/^malformed_payload: not a Shopify order \(orders\/create\): id: /);
    expect(await reasonOf("woocommerce", bodies.wrongShape)).toMatch(/^malformed_payload: not a WooCommerce order \(order\.created\): id: /);
    // Given up at once (no retry brings other bytes), and nothing reached the order queue.
    for (const id of Object.values(shopifyIds)) expect((await deliveriesOf(id)).map((job) => job.state)).toEqual(["failed"]);
    const failed = (await h.platformEventJobs()).filter((job) => job.state === "failed");
    for (const job of failed) expect((await h.queues.queue(QUEUE_NAMES.platformEvents).getJob(job.id))?.attemptsMade).toBe(1);
    expect((await h.queuedOrderEvents()).filter((job) => job.data.storeId === wooStoreId)).toEqual([]);
  });
});

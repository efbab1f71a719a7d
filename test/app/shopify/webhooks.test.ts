import { randomUUID } from "node:crypto";

import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { holdEngineInventory, OrderLocks, OrderProcessor, parseOrderEvent, PlatformCallQueue } from "../../../app/core/orders/index.ts";
import { QUEUE_NAMES } from "../../../app/core/queues/index.ts";
import { writeBackKeys } from "../../../app/core/keys.ts";
import { signToken, type HoldClaims } from "../../../app/core/tokens/index.ts";
import { PrismaOrderRepository } from "../../../app/db/PrismaOrderRepository.ts";
import { parseStockRef } from "../../../app/platforms/shopify/refs.ts";
import { action as inventoryLevelsUpdate } from "../../../app/routes/webhooks.inventory_levels.update.tsx";
import {
  HOLD_ATTRIBUTE,
  HOLD_TOKEN_ATTRIBUTE,
  orderEventsFromWebhook,
  shopifyCustomerRef,
  stockReportFromWebhook,
} from "../../../app/platforms/shopify/webhooks.ts";
import { action as appScopesUpdate } from "../../../app/routes/webhooks.app.scopes_update.tsx";
import { action as appUninstalled } from "../../../app/routes/webhooks.app.uninstalled.tsx";
import { action as customersDataRequest } from "../../../app/routes/webhooks.customers.data_request.tsx";
import { action as customersRedact } from "../../../app/routes/webhooks.customers.redact.tsx";
import { action as ordersCancelled } from "../../../app/routes/webhooks.orders.cancelled.tsx";
import { action as ordersCreate } from "../../../app/routes/webhooks.orders.create.tsx";
import { action as productsUpdate } from "../../../app/routes/webhooks.products.update.tsx";
import { action as shopRedact } from "../../../app/routes/webhooks.shop.redact.tsx";
import { signedWebhook, startShopifyHarness, type ShopifyHarness } from "./harness.ts";
import { customerReport, listCustomerReports } from "../../../app/stores/privacy.server.ts";
import type { HoldfastContext } from "../../../app/web/context.server.ts";

let h: ShopifyHarness;
beforeAll(async () => {
  h = await startShopifyHarness();
});
afterAll(() => h.close());

type Action = (args: ActionFunctionArgs) => Promise<Response>;
const call = (action: Action, request: Request) => action({ request, context: h.context, params: {} });

let nextOrder = 5_000_000;
function orderPayload(
  lines: { variantId: number; quantity: number; hold?: string; token?: string }[],
  options: { customerId?: number; cancelled?: boolean; cartHold?: string; cartToken?: string } = {},
) {
  const id = nextOrder++;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    created_at: "2026-11-28T12:00:00Z",
    cancelled_at: options.cancelled ? "2026-11-28T12:05:00Z" : null,
    customer: options.customerId ? { id: options.customerId, email: "shopper@example.com" } : null,
    note_attributes: [
      ...(options.cartHold ? [{ name: HOLD_ATTRIBUTE, value: options.cartHold }] : []),
      ...(options.cartToken ? [{ name: HOLD_TOKEN_ATTRIBUTE, value: options.cartToken }] : []),
    ],
    line_items: lines.map((line, i) => ({
      id: id * 10 + i,
      variant_id: line.variantId,
      product_id: 1,
      quantity: line.quantity,
      properties: line.hold
        ? [
            { name: HOLD_ATTRIBUTE, value: line.hold },
            { name: HOLD_TOKEN_ATTRIBUTE, value: line.token ?? "x.y.z" },
          ]
        : [],
    })),
  };
}

function processor() {
  return new OrderProcessor({
    inventory: holdEngineInventory(h.app.holds, h.app.redis),
    orders: new PrismaOrderRepository(h.db),
    platformCalls: new PlatformCallQueue(h.queues),
    locks: new OrderLocks(h.app.redis),
    keyrings: h.app.storefront.keyrings,
  });
}

/** The hold token the storefront signs for a hold, with the shop's own keys. */
async function holdToken(storeId: string, saleId: string, holdId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1_000);
  const claims: HoldClaims = { typ: "hold", s: saleId, h: holdId, sh: "binding", iat: now, exp: now + 600 };
  return signToken({ ...claims }, await h.app.storefront.keyrings.forStore(storeId));
}

async function eventsFor(orderRef: string) {
  return (await h.queuedOrderEvents()).filter((job) => job.data.platformOrderRef === orderRef);
}

/** The order events of an order once the worker has mapped its delivery (the webhook only enqueues it). */
async function mapped(orderRef: string, count = 1) {
  await expect.poll(async () => (await eventsFor(orderRef)).length, { timeout: 60_000 }).toBe(count);
  return eventsFor(orderRef);
}

const settled = (webhookId: string) => h.settled(webhookId);

describe("webhook verification", () => {
  it("refuses forged and unsigned webhooks with 401 and a code, enqueueing nothing", async () => {
    const { shop, storeId } = await h.installShop("forged");
    const sale = await h.createLiveSale(storeId, shop, [{ title: "Sneaker", allocation: 5 }]);
    const payload = orderPayload([{ variantId: sale.items[0]!.variantId, quantity: 1 }]);

    const forged = await call(ordersCreate, signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload, secret: "not-the-app-secret" }));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: "webhook_signature_invalid" } });

    const tampered = signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload });
    const body = (await tampered.text()).replace('"quantity":1', '"quantity":9');
    const retold = await call(ordersCreate, new Request(tampered.url, { method: "POST", headers: tampered.headers, body }));
    expect(retold.status).toBe(401);

    const unsigned = await call(ordersCreate, signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload, hmac: null }));
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error: { code: "webhook_signature_missing" } });

    expect(await eventsFor(payload.admin_graphql_api_id)).toEqual([]);
    expect((await h.platformEventJobs()).filter((job) => job.data.shop === shop)).toEqual([]);
  });

  it("refuses a verified webhook sent to another topic's address", async () => {
    const { shop } = await h.installShop("topic");
    const response = await call(ordersCreate, signedWebhook("/webhooks/orders/create", { topic: "orders/cancelled", shop, payload: orderPayload([]) }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "webhook_topic_mismatch" } });
  });
});

describe("orders/create and orders/cancelled", () => {
  it("maps drop lines to one order event with the hold and the customer, enqueued once however often Shopify delivers", async () => {
    const { shop, storeId } = await h.installShop("orders");
    const sale = await h.createLiveSale(storeId, shop, [
      { title: "Sneaker", allocation: 10 },
      { title: "Hoodie", allocation: 10 },
    ]);
    const [sneaker, hoodie] = sale.items as [(typeof sale.items)[0], (typeof sale.items)[0]];
    const payload = orderPayload(
      [
        { variantId: sneaker.variantId, quantity: 2, hold: "hold-abc" },
        { variantId: 999_999_999, quantity: 1 }, // not a drop item: left out
        { variantId: hoodie.variantId, quantity: 1, hold: "hold-abc" },
      ],
      { customerId: 42 },
    );
    const webhookId = randomUUID();
    // Shopify waits 5 s at most, so the answer never waits for processing: the 200 comes with
    // the delivery queued, not handled. Its speed is a benchmark's figure.
    const first = await call(ordersCreate, signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload, webhookId }));
    expect(first.status).toBe(200);
    const again = await call(ordersCreate, signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload, webhookId }));
    expect(again.status).toBe(200);
    await settled(webhookId);

    const jobs = await mapped(payload.admin_graphql_api_id);
    const event = parseOrderEvent(jobs[0]!.data);
    expect(event).toMatchObject({
      saleId: sale.saleId,
      storeId,
      kind: "created",
      holdId: "hold-abc",
      customerRef: shopifyCustomerRef(42),
      platformOrderRef: payload.admin_graphql_api_id,
    });
    expect(event.lines.sort((a, b) => a.itemId.localeCompare(b.itemId))).toEqual(
      [
        { itemId: sneaker.itemId, quantity: 2 },
        { itemId: hoodie.itemId, quantity: 1 },
      ].sort((a, b) => a.itemId.localeCompare(b.itemId)),
    );
  });

  it("learns each variant once: later orders need no Admin API call, and products/update teaches it up front", async () => {
    const { shop, storeId } = await h.installShop("cache");
    const sale = await h.createLiveSale(storeId, shop, [{ title: "Cap", allocation: 10 }]);
    const stats = h.standInOf(shop).shop(shop).stats;
    const before = stats.requests;
    const firstOrder = orderPayload([{ variantId: sale.items[0]!.variantId, quantity: 1 }]);
    await call(ordersCreate, signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload: firstOrder }));
    await mapped(firstOrder.admin_graphql_api_id);
    expect(stats.requests).toBe(before + 1);
    const secondOrder = orderPayload([{ variantId: sale.items[0]!.variantId, quantity: 1 }]);
    await call(ordersCreate, signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload: secondOrder }));
    await mapped(secondOrder.admin_graphql_api_id);
    expect(stats.requests).toBe(before + 1);

    // A sale made after products/update told us the variant: no call at all.
    const later = await h.createLiveSale(storeId, shop, [{ title: "Scarf", allocation: 3 }]);
    const item = later.items[0]!;
    const product = { id: 77, variants: [{ id: item.variantId, inventory_item_id: item.inventoryItemId }] };
    const productUpdate = randomUUID();
    const learned = signedWebhook("/webhooks/products/update", { topic: "products/update", shop, payload: product, webhookId: productUpdate });
    expect((await call(productsUpdate, learned)).status).toBe(200);
    // The worker learns it from the queued delivery.
    await settled(productUpdate);
    const payload = orderPayload([{ variantId: item.variantId, quantity: 1 }]);
    await call(ordersCreate, signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload }));
    await mapped(payload.admin_graphql_api_id);
    expect(stats.requests).toBe(before + 1);
  });

  it("enqueues nothing for an order without drop items, or for a shop that never installed", async () => {
    const { shop, storeId } = await h.installShop("plain");
    await h.createLiveSale(storeId, shop, [{ title: "Sneaker", allocation: 5 }]);
    const plain = orderPayload([{ variantId: 123_456, quantity: 1 }]);
    const plainId = randomUUID();
    expect(
      (await call(ordersCreate, signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload: plain, webhookId: plainId }))).status,
    ).toBe(200);
    await settled(plainId);
    expect(await eventsFor(plain.admin_graphql_api_id)).toEqual([]);
    const stranger = orderPayload([{ variantId: 1, quantity: 1 }]);
    const strangerId = randomUUID();
    expect(
      (
        await call(
          ordersCreate,
          signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop: "stranger.myshopify.com", payload: stranger, webhookId: strangerId }),
        )
      ).status,
    ).toBe(200);
    await settled(strangerId);
    expect(await eventsFor(stranger.admin_graphql_api_id)).toEqual([]);
  });

  it("carries what the order processor needs: a held order commits its hold, a bypass follows the sale's policy", async () => {
    const { shop, storeId } = await h.installShop("process");
    const sale = await h.createLiveSale(storeId, shop, [{ title: "Sneaker", allocation: 5 }], { bypassPolicy: "cancel" });
    const item = sale.items[0]!;
    const hold = await h.app.holds.reserve(sale.saleId, {
      lines: [{ itemId: item.itemId, quantity: 2 }],
      customerId: "session:abc",
      ttlMs: 60_000,
      requestId: randomUUID(),
    });
    if (hold.outcome !== "reserved") throw new Error(`no hold: ${hold.outcome}`);

    const held = orderPayload([{ variantId: item.variantId, quantity: 2, hold: hold.holdId, token: await holdToken(storeId, sale.saleId, hold.holdId) }]);
    await call(ordersCreate, signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload: held }));
    const bypass = orderPayload([{ variantId: item.variantId, quantity: 1 }], { customerId: 7 });
    await call(ordersCreate, signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop, payload: bypass }));

    const orders = processor();
    const [heldJob] = await mapped(held.admin_graphql_api_id);
    expect(await orders.process(parseOrderEvent(heldJob!.data))).toEqual({ action: "committed", status: "committed" });
    const [bypassJob] = await mapped(bypass.admin_graphql_api_id);
    expect(await orders.process(parseOrderEvent(bypassJob!.data))).toEqual({ action: "taken", status: "cancel_requested" });

    const counters = (await h.app.holds.snapshot(sale.saleId))?.items[item.itemId];
    expect(counters).toMatchObject({ sold: 3, held: 0, available: 2, allocated: 5 });
    const calls = await h.queues.queue(QUEUE_NAMES.platformCalls).getJobs(["waiting", "delayed"]);
    expect(calls.map((job) => job.data)).toContainEqual(
      expect.objectContaining({ type: "cancelOrder", storeId, platformOrderRef: bypass.admin_graphql_api_id }),
    );
    const row = await h.db.order.findUnique({ where: { saleId_platformOrderRef: { saleId: sale.saleId, platformOrderRef: bypass.admin_graphql_api_id } } });
    expect(row).toMatchObject({ bypass: true, status: "cancel_requested", customerRef: shopifyCustomerRef(7) });
  });

  it("maps orders/cancelled to a cancellation that frees the order's hold", async () => {
    const { shop, storeId } = await h.installShop("cancel");
    const sale = await h.createLiveSale(storeId, shop, [{ title: "Sneaker", allocation: 4 }]);
    const item = sale.items[0]!;
    const hold = await h.app.holds.reserve(sale.saleId, {
      lines: [{ itemId: item.itemId, quantity: 1 }],
      customerId: "session:c",
      ttlMs: 60_000,
      requestId: randomUUID(),
    });
    if (hold.outcome !== "reserved") throw new Error(`no hold: ${hold.outcome}`);
    const payload = orderPayload([{ variantId: item.variantId, quantity: 1 }], {
      cancelled: true,
      cartHold: hold.holdId,
      cartToken: await holdToken(storeId, sale.saleId, hold.holdId),
    });
    expect((await call(ordersCancelled, signedWebhook("/webhooks/orders/cancelled", { topic: "orders/cancelled", shop, payload }))).status).toBe(200);
    const [job] = await mapped(payload.admin_graphql_api_id);
    const event = parseOrderEvent(job!.data);
    expect(event).toMatchObject({ kind: "cancelled", holdId: hold.holdId, occurredAt: Date.parse("2026-11-28T12:05:00Z") });
    expect(await processor().process(event)).toEqual({ action: "voided", status: "cancelled" });
    expect((await h.app.holds.snapshot(sale.saleId))?.items[item.itemId]).toMatchObject({ held: 0, available: 4 });
  });
});

describe("install lifecycle and privacy webhooks", () => {
  it("app/uninstalled ends the shop's running sales, deletes its sessions, marks the store, and keeps its orders", async () => {
    const { shop, storeId } = await h.installShop("uninstall");
    const sale = await h.createLiveSale(storeId, shop, [{ title: "Sneaker", allocation: 5 }]);
    await h.db.order.create({ data: { saleId: sale.saleId, platformOrderRef: "gid://shopify/Order/1", status: "committed", linesJson: "[]" } });

    const response = await call(
      appUninstalled,
      signedWebhook("/webhooks/app/uninstalled", { topic: "app/uninstalled", shop, payload: { id: 1, domain: shop } }),
    );
    expect(response.status).toBe(200);
    expect((await h.app.sales.get(sale.saleId)).sale.state).toBe("ended");
    expect(await h.db.session.count({ where: { shop } })).toBe(0);
    expect((await h.db.store.findUniqueOrThrow({ where: { id: storeId } })).uninstalledAt).toBeInstanceOf(Date);
    expect(await h.db.order.count({ where: { saleId: sale.saleId } })).toBe(1);
  });

  it("customers/data_request reports the customer's orders; customers/redact erases the customer from orders and ledger", async () => {
    const { shop, storeId } = await h.installShop("privacy");
    const sale = await h.createLiveSale(storeId, shop, [{ title: "Sneaker", allocation: 5 }]);
    const customer = shopifyCustomerRef(555);
    await h.db.order.create({
      data: {
        saleId: sale.saleId,
        platformOrderRef: "gid://shopify/Order/11",
        status: "committed",
        customerRef: customer,
        linesJson: '[{"itemId":"x","quantity":1}]',
      },
    });
    await h.db.order.create({
      data: { saleId: sale.saleId, platformOrderRef: "gid://shopify/Order/12", status: "committed", customerRef: shopifyCustomerRef(556), linesJson: "[]" },
    });
    await h.db.ledgerEvent.create({
      data: { saleId: sale.saleId, streamId: "1-0", type: "take", customerRef: customer, linesJson: "[]", occurredAt: new Date() },
    });
    // The sale's hot data about the customer: a hold still running, and an order taken (order map, counts, ledger stream).
    const item = sale.items[0]!.itemId;
    const hold = await h.app.holds.reserve(sale.saleId, { lines: [{ itemId: item, quantity: 1 }], customerId: customer, ttlMs: 600_000, requestId: "r1" });
    expect(hold.outcome).toBe("reserved");
    const bought = await h.app.holds.reserve(sale.saleId, { lines: [{ itemId: item, quantity: 1 }], customerId: customer, ttlMs: 600_000, requestId: "r3" });
    if (bought.outcome !== "reserved") throw new Error("no hold");
    await h.app.holds.commit(sale.saleId, bought.holdId, "gid://shopify/Order/11");
    await h.app.holds.reserve(sale.saleId, { lines: [{ itemId: item, quantity: 1 }], customerId: shopifyCustomerRef(556), ttlMs: 600_000, requestId: "r2" });

    const requestPayload = { shop_id: 1, shop_domain: shop, customer: { id: 555, email: "a@example.com" }, orders_requested: [11], data_request: { id: 9 } };
    expect(
      (await call(customersDataRequest, signedWebhook("/webhooks/customers/data_request", { topic: "customers/data_request", shop, payload: requestPayload })))
        .status,
    ).toBe(200);
    // Kept sealed for the merchant (not in the logs): SQL's orders and ledger, and the sale's live hold.
    const reports = await listCustomerReports(h.db, storeId);
    expect(reports).toEqual([expect.objectContaining({ customerRef: customer })]);
    expect(await customerReport(h.db, h.app.masterKey.key, storeId, reports[0]!.id)).toMatchObject({
      customerRef: customer,
      ledgerEntries: 1,
      orders: [expect.objectContaining({ platformOrderRef: "gid://shopify/Order/11", lines: [{ itemId: "x", quantity: 1 }] })],
      sales: [{ saleId: sale.saleId, unitsCounted: 2, holds: [expect.objectContaining({ lines: [{ itemId: item, quantity: 1 }] })] }],
    });
    expect(JSON.stringify(h.logs)).not.toContain(customer);
    expect(JSON.stringify(h.logs)).not.toContain("a@example.com");

    const redactPayload = { shop_id: 1, shop_domain: shop, customer: { id: 555 }, orders_to_redact: [11] };
    expect((await call(customersRedact, signedWebhook("/webhooks/customers/redact", { topic: "customers/redact", shop, payload: redactPayload }))).status).toBe(
      200,
    );
    expect(await h.db.order.count({ where: { customerRef: customer } })).toBe(0);
    expect(await h.db.ledgerEvent.count({ where: { customerRef: customer } })).toBe(0);
    expect(await h.db.order.count({ where: { saleId: sale.saleId } })).toBe(2);
    expect(await h.db.order.count({ where: { customerRef: shopifyCustomerRef(556) } })).toBe(1);
    expect(await listCustomerReports(h.db, storeId)).toEqual([]);
    // Nothing of the customer in any of the sale's keys; the other customer is untouched.
    const keys = await h.app.redis.keys(`hf:{s:${sale.saleId}}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const dump = await dumpOf(h.app.redis, key);
      expect(dump, key).not.toContain("shopify-customer:555");
      expect(dump, key).not.toContain("gid://shopify/Order/11");
    }
    expect((await h.app.holds.customerData(sale.saleId, shopifyCustomerRef(556))).units).toBe(1);
    // The stock the redacted customer held is still held, so the counts stay balanced.
    expect((await h.app.holds.snapshot(sale.saleId))?.items[item]?.held).toBe(2);
  });

  it("shop/redact erases the shop: store, sales, orders, ledger and sessions", async () => {
    const { shop, storeId } = await h.installShop("redact");
    const sale = await h.createLiveSale(storeId, shop, [{ title: "Sneaker", allocation: 5 }]);
    await h.app.sales.end(sale.saleId);
    await h.db.order.create({ data: { saleId: sale.saleId, platformOrderRef: "gid://shopify/Order/21", status: "committed", linesJson: "[]" } });
    const other = await h.installShop("bystander");
    const otherSale = await h.createLiveSale(other.storeId, other.shop, [{ title: "Cap", allocation: 3 }]);
    await h.app.holds.reserve(sale.saleId, { lines: [{ itemId: sale.items[0]!.itemId, quantity: 1 }], customerId: "c1", ttlMs: 600_000, requestId: "r1" });
    expect((await h.app.redis.keys(`hf:{s:${sale.saleId}}:*`)).length).toBeGreaterThan(0);
    const otherKeys = (await h.app.redis.keys(`hf:{s:${otherSale.saleId}}:*`)).sort();

    expect(
      (await call(shopRedact, signedWebhook("/webhooks/shop/redact", { topic: "shop/redact", shop, payload: { shop_id: 1, shop_domain: shop } }))).status,
    ).toBe(200);
    expect(await h.db.store.count({ where: { id: storeId } })).toBe(0);
    expect(await h.db.sale.count({ where: { storeId } })).toBe(0);
    expect(await h.db.order.count({ where: { saleId: sale.saleId } })).toBe(0);
    expect(await h.db.session.count({ where: { shop } })).toBe(0);
    expect(await h.db.store.count({ where: { id: other.storeId } })).toBe(1);
    // Redis: no key of the shop's sale or store is left; the other shop's keys are all there.
    expect(await h.app.redis.keys(`hf:{s:${sale.saleId}}:*`)).toEqual([]);
    expect(await h.app.redis.keys(`hf:{st:${storeId}}:*`)).toEqual([]);
    expect(await h.app.redis.keys(`hf:{e:${storeId}}:*`)).toEqual([]);
    expect((await h.app.redis.keys(`hf:{s:${otherSale.saleId}}:*`)).sort()).toEqual(otherKeys);
  });
});

/** Everything a key holds, as text (hash fields and values, stream entries, strings, sets). */
async function dumpOf(redis: HoldfastContext["redis"], key: string): Promise<string> {
  const type = await redis.type(key);
  if (type === "hash") return JSON.stringify(await redis.hgetall(key));
  if (type === "stream") return JSON.stringify(await redis.xrange(key, "-", "+"));
  if (type === "string") return String(await redis.get(key));
  if (type === "zset") return JSON.stringify(await redis.zrange(key, "0", "-1"));
  if (type === "list") return JSON.stringify(await redis.lrange(key, 0, -1));
  if (type === "set") return JSON.stringify(await redis.smembers(key));
  return "";
}

describe("app/scopes_update", () => {
  const scopeOf = async (shop: string) => (await h.db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } })).scope;
  const scopesPayload = (current: unknown) => ({ id: 1, previous: ["read_products", "write_inventory"], current, updated_at: "2026-12-03T05:00:00Z" });

  it("gives the shop's stored session the scopes Shopify says are granted now", async () => {
    const { shop } = await h.installShop("scopes");
    const other = await h.installShop("scopes-bystander");
    const before = await scopeOf(other.shop);
    const current = ["read_products", "write_inventory", "write_orders"];
    const response = await call(
      appScopesUpdate,
      signedWebhook("/webhooks/app/scopes_update", { topic: "app/scopes_update", shop, payload: scopesPayload(current) }),
    );
    expect(response.status).toBe(200);
    expect(await scopeOf(shop)).toBe("read_products,write_inventory,write_orders");
    expect(await scopeOf(other.shop)).toBe(before);
  });

  it("refuses a forged delivery with 401 and a payload without `current` with 400, changing nothing", async () => {
    const { shop } = await h.installShop("scopes-forged");
    const before = await scopeOf(shop);
    const forged = await call(
      appScopesUpdate,
      signedWebhook("/webhooks/app/scopes_update", {
        topic: "app/scopes_update",
        shop,
        payload: scopesPayload(["read_products"]),
        secret: "not-the-app-secret",
      }),
    );
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: "webhook_signature_invalid" } });
    const malformed = await call(
      appScopesUpdate,
      signedWebhook("/webhooks/app/scopes_update", { topic: "app/scopes_update", shop, payload: scopesPayload("read_products") }),
    );
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "webhook_payload_invalid" } });
    expect(await scopeOf(shop)).toBe(before);
  });

  it("answers 200 for a shop with no stored session (nothing to update), as the template does", async () => {
    const shop = "never-installed-scopes.myshopify.com";
    const response = await call(
      appScopesUpdate,
      signedWebhook("/webhooks/app/scopes_update", { topic: "app/scopes_update", shop, payload: scopesPayload(["read_products"]) }),
    );
    expect(response.status).toBe(200);
    expect(await h.db.session.count({ where: { shop } })).toBe(0);
  });
});

describe("inventory_levels/update", () => {
  it("names the stock as the adapter does (InventoryItem gid @ Location gid)", () => {
    const report = stockReportFromWebhook("st_1", { inventory_item_id: 271878346596, location_id: 24826418, available: 6, updated_at: "2026-11-28T12:00:00Z" });
    expect(report).toEqual({ storeId: "st_1", ref: "gid://shopify/InventoryItem/271878346596@gid://shopify/Location/24826418", available: 6 });
    expect(parseStockRef(report!.ref)).toEqual({ inventoryItemId: "gid://shopify/InventoryItem/271878346596", locationId: "gid://shopify/Location/24826418" });
    expect(stockReportFromWebhook("st_1", { inventory_item_id: 1, location_id: 2, available: null })).toBeNull();
  });

  it("hands the report to the stock intake in the worker, which records what the platform holds for the sale item", async () => {
    const { shop, storeId } = await h.installShop("stock");
    const sale = await h.createLiveSale(storeId, shop, [{ title: "Sneaker", allocation: 5 }]);
    const item = sale.items[0]!;
    const payload = { inventory_item_id: item.inventoryItemId, location_id: item.locationId, available: 7, updated_at: "2026-11-28T12:00:00Z" };
    const response = await inventoryLevelsUpdate({
      request: signedWebhook("/webhooks/inventory_levels/update", { topic: "inventory_levels/update", shop, payload }),
      context: h.context,
      params: {},
    });
    expect(response.status).toBe(200);
    await expect.poll(() => h.app.redis.hget(writeBackKeys(sale.saleId).written, item.itemId), { timeout: 60_000 }).toContain("7");
  });
});

describe("order payload mapping", () => {
  const items: Record<string, { saleId: string; itemId: string }> = {
    "gid://shopify/ProductVariant/1": { saleId: "sale-a", itemId: "a1" },
    "gid://shopify/ProductVariant/2": { saleId: "sale-b", itemId: "b1" },
  };
  const map = (payload: unknown) =>
    orderEventsFromWebhook({ topic: "orders/create", eventId: "ev-1", storeId: "st", payload, itemOf: (variant) => items[variant], now: 1 });

  it("makes one event per sale, each with its own lines and line hold; a cart-level hold counts only for a single sale", () => {
    const mapping = map({
      id: 10,
      note_attributes: [{ name: HOLD_ATTRIBUTE, value: "cart-hold" }],
      line_items: [
        { variant_id: 1, quantity: 1, properties: [{ name: HOLD_ATTRIBUTE, value: "hold-a" }] },
        { variant_id: 2, quantity: 3, properties: [] },
        { variant_id: 1, quantity: 2, properties: [] },
      ],
    });
    expect(mapping.outcome).toBe("events");
    if (mapping.outcome !== "events") return;
    expect(mapping.events).toEqual([
      expect.objectContaining({
        eventId: "ev-1.sale-a",
        saleId: "sale-a",
        platformOrderRef: "gid://shopify/Order/10",
        holdId: "hold-a",
        lines: [
          { itemId: "a1", quantity: 1 },
          { itemId: "a1", quantity: 2 },
        ],
      }),
      expect.objectContaining({ eventId: "ev-1.sale-b", saleId: "sale-b", lines: [{ itemId: "b1", quantity: 3 }] }),
    ]);
    expect(mapping.events[1]).not.toHaveProperty("holdId");
    const single = map({ id: 11, note_attributes: [{ name: HOLD_ATTRIBUTE, value: "cart-hold" }], line_items: [{ variant_id: 2, quantity: 1 }] });
    expect(single.outcome === "events" && single.events[0]?.holdId).toBe("cart-hold");
  });

  it("carries each line's hold token (and a cart-level one for a single sale), and marks POS and draft orders as the staff's", () => {
    const token = (n: number) => `aaa.bbb.${n}`;
    const mapping = map({
      id: 13,
      source_name: "pos",
      note_attributes: [{ name: HOLD_TOKEN_ATTRIBUTE, value: token(9) }],
      line_items: [
        {
          variant_id: 1,
          quantity: 1,
          properties: [
            { name: HOLD_ATTRIBUTE, value: "hold-a" },
            { name: HOLD_TOKEN_ATTRIBUTE, value: token(1) },
          ],
        },
        { variant_id: 1, quantity: 1, properties: [{ name: HOLD_TOKEN_ATTRIBUTE, value: token(1) }] },
        { variant_id: 1, quantity: 1, properties: [{ name: HOLD_TOKEN_ATTRIBUTE, value: "not a token" }] },
      ],
    });
    expect(mapping).toMatchObject({ outcome: "events", events: [{ saleId: "sale-a", holdTokens: [token(1), token(9)], createdByStaff: true }] });
    const draft = map({ id: 14, source_name: "shopify_draft_order", line_items: [{ variant_id: 2, quantity: 1 }] });
    expect(draft.outcome === "events" && draft.events[0]?.createdByStaff).toBe(true);
    const web = map({ id: 15, source_name: "web", line_items: [{ variant_id: 2, quantity: 1 }] });
    expect(web.outcome === "events" && web.events[0]).not.toHaveProperty("createdByStaff");
    const two = map({
      id: 16,
      note_attributes: [{ name: HOLD_TOKEN_ATTRIBUTE, value: token(9) }],
      line_items: [
        { variant_id: 1, quantity: 1 },
        { variant_id: 2, quantity: 1 },
      ],
    });
    expect(two.outcome === "events" && two.events.map((event) => event.holdTokens)).toEqual([undefined, undefined]);
  });

  it("says what is wrong with a payload it cannot read, instead of guessing", () => {
    expect(map({ id: "not-a-number", line_items: [] })).toMatchObject({ outcome: "malformed", reason: expect.stringContaining("id") });
    expect(map({ id: 12, line_items: [{ variant_id: 1, quantity: -1 }] })).toMatchObject({ outcome: "malformed", reason: expect.stringContaining("quantity") });
  });
});

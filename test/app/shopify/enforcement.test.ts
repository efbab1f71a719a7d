// Order-time enforcement and platform-side stock changes, end to end through the Shopify
// stand-in: signed webhooks into the real routes, the order processor with the store's real
// keys, the write-back against the stand-in's Admin API. After every scenario the sale's
// invariant holds for every item and the platform never shows more than it physically has.
import { randomUUID } from "node:crypto";

import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { holdEngineInventory, OrderLocks, OrderProcessor, parseOrderEvent, PlatformCallQueue } from "../../../app/core/orders/index.ts";
import { QUEUE_NAMES } from "../../../app/core/queues/index.ts";
import type { StockWriteBack } from "../../../app/core/sync/index.ts";
import { signToken, type HoldClaims } from "../../../app/core/tokens/index.ts";
import { PrismaOrderRepository } from "../../../app/db/PrismaOrderRepository.ts";
import { HOLD_ATTRIBUTE, HOLD_TOKEN_ATTRIBUTE } from "../../../app/platforms/shopify/webhooks.ts";
import { action as inventoryLevelsUpdate } from "../../../app/routes/webhooks.inventory_levels.update.tsx";
import { action as ordersCreate } from "../../../app/routes/webhooks.orders.create.tsx";
import { expectInvariant } from "../../core/inventory/invariant.ts";
import { signedWebhook, startShopifyHarness, type ShopifyHarness } from "./harness.ts";

let h: ShopifyHarness;
let processor: OrderProcessor;
let writeBack: StockWriteBack;
beforeAll(async () => {
  h = await startShopifyHarness();
  // The write-back the harness's worker marks due when a stock level arrives.
  writeBack = h.stock.writeBack;
  processor = new OrderProcessor({
    inventory: holdEngineInventory(h.app.holds, h.app.redis),
    orders: new PrismaOrderRepository(h.db),
    platformCalls: new PlatformCallQueue(h.queues),
    locks: new OrderLocks(h.app.redis),
    keyrings: h.app.storefront.keyrings,
  });
});
afterAll(() => h.close());

type Action = (args: ActionFunctionArgs) => Promise<Response>;
const call = (action: Action, request: Request) => action({ request, context: h.context, params: {} });

interface Drop {
  shop: string;
  storeId: string;
  saleId: string;
  item: { itemId: string; variantId: number; inventoryItemId: number; locationId: number };
  /** Units the shop physically has left: the start, minus every unit sold or taken away on the platform. */
  physical: number;
}

async function drop(label: string, allocation: number, bypassPolicy: "allow" | "flag" | "cancel"): Promise<Drop> {
  const { shop, storeId } = await h.installShop(label);
  const sale = await h.createLiveSale(storeId, shop, [{ title: "Sneaker", allocation }], { bypassPolicy });
  const d = { shop, storeId, saleId: sale.saleId, item: sale.items[0]!, physical: allocation };
  await writeBack.flushSale(d.saleId);
  return d;
}

const level = (d: Drop) => h.standInOf(d.shop).shop(d.shop).level(d.item.inventoryItemId, d.item.locationId)!;

async function holdWithToken(d: Drop, quantity: number): Promise<{ holdId: string; token: string }> {
  const result = await h.app.holds.reserve(d.saleId, {
    lines: [{ itemId: d.item.itemId, quantity }],
    customerId: "session:shopper",
    ttlMs: 600_000,
    requestId: `r-${Math.random()}`,
  });
  if (result.outcome !== "reserved") throw new Error(`no hold: ${result.outcome}`);
  const keyring = await h.app.storefront.keyrings.forStore(d.storeId);
  const now = Math.floor(Date.now() / 1_000);
  const claims: HoldClaims = { typ: "hold", s: d.saleId, h: result.holdId, sh: "binding", iat: now, exp: Math.ceil(result.expiresAt / 1_000) };
  return { holdId: result.holdId, token: signToken({ ...claims }, keyring) };
}

let nextOrder = 7_000_000;
/** A checkout on the shop: the stand-in takes the units from available, Shopify sends orders/create. */
async function placeOrder(d: Drop, quantity: number, options: { hold?: { holdId: string; token: string }; source?: string } = {}): Promise<string> {
  h.standInOf(d.shop)
    .shop(d.shop)
    .placeOrder([{ itemId: d.item.inventoryItemId, locationId: d.item.locationId, quantity }]);
  d.physical -= quantity;
  const id = nextOrder++;
  const payload = {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    created_at: new Date().toISOString(),
    source_name: options.source ?? "web",
    customer: { id: 42 },
    note_attributes: [],
    line_items: [
      {
        id: id * 10,
        variant_id: d.item.variantId,
        quantity,
        properties: options.hold
          ? [
              { name: HOLD_ATTRIBUTE, value: options.hold.holdId },
              { name: HOLD_TOKEN_ATTRIBUTE, value: options.hold.token },
            ]
          : [],
      },
    ],
  };
  expect((await call(ordersCreate, signedWebhook("/webhooks/orders/create", { topic: "orders/create", shop: d.shop, payload }))).status).toBe(200);
  return payload.admin_graphql_api_id;
}

async function processOrder(orderRef: string) {
  const jobsOf = async () => (await h.queuedOrderEvents()).filter((job) => job.data.platformOrderRef === orderRef);
  // The webhook only enqueued the delivery; the harness's worker maps it to the order event.
  await expect.poll(async () => (await jobsOf()).length, { timeout: 60_000 }).toBe(1);
  const jobs = await jobsOf();
  return processor.process(parseOrderEvent(jobs[0]!.data));
}

/** Shopify's inventory_levels/update for what the stand-in holds now, once the worker has read it. */
async function reportStock(d: Drop): Promise<void> {
  const webhookId = randomUUID();
  const payload = {
    inventory_item_id: d.item.inventoryItemId,
    location_id: d.item.locationId,
    available: level(d).available,
    updated_at: new Date().toISOString(),
  };
  expect(
    (
      await call(
        inventoryLevelsUpdate,
        signedWebhook("/webhooks/inventory_levels/update", { topic: "inventory_levels/update", shop: d.shop, payload, webhookId }),
      )
    ).status,
  ).toBe(200);
  await h.settled(webhookId);
}

async function counters(d: Drop) {
  const snapshot = await h.app.holds.snapshot(d.saleId);
  expectInvariant(snapshot);
  return snapshot!.items[d.item.itemId]!;
}

/** The platform never shows more than the shop has (the invariant is checked on the way). */
async function expectPlatformWithinPhysical(d: Drop): Promise<void> {
  await counters(d);
  expect(level(d).available).toBeLessThanOrEqual(d.physical);
}

/** After a flush the platform shows the sale's available units, and those plus the held ones fit in what the shop has. */
async function flushed(d: Drop): Promise<void> {
  await writeBack.flushSale(d.saleId);
  const { available, held } = await counters(d);
  expect(level(d).available).toBe(available);
  expect(available + held).toBeLessThanOrEqual(d.physical);
}

describe("an order with a raised quantity", () => {
  it("commits only the held units, applies the policy to the rest, and the platform ends at what it physically has", async () => {
    const d = await drop("raised", 10, "flag");
    const hold = await holdWithToken(d, 2);
    await writeBack.flushSale(d.saleId);
    expect(level(d).available).toBe(8);

    // The shopper raises the held line from 2 to 3 at checkout.
    const ref = await placeOrder(d, 3, { hold });
    // Shopify's stock webhook arrives before the order is processed: the order explains it, nothing is counted twice.
    await reportStock(d);
    await expectPlatformWithinPhysical(d);
    expect(await processOrder(ref)).toEqual({ action: "taken", status: "flagged" });
    expect(await counters(d)).toEqual({ allocated: 10, available: 7, held: 0, sold: 3 });
    const row = await h.db.order.findUniqueOrThrow({ where: { saleId_platformOrderRef: { saleId: d.saleId, platformOrderRef: ref } } });
    expect(row).toMatchObject({ status: "flagged", bypass: true, holdId: hold.holdId });
    expect(JSON.parse(row.bypassLinesJson)).toEqual([{ itemId: d.item.itemId, quantity: 1 }]);

    await flushed(d);
    expect(level(d).available).toBe(7);
    expect(d.physical).toBe(7);
  });

  it("under the cancel policy asks the platform to cancel the order; a forged token is never trusted", async () => {
    const d = await drop("cancel", 5, "cancel");
    const victim = await holdWithToken(d, 1);
    const forged = { holdId: victim.holdId, token: `${victim.token.slice(0, victim.token.lastIndexOf(".") + 1)}${"A".repeat(43)}` };
    const ref = await placeOrder(d, 2, { hold: forged });
    expect(await processOrder(ref)).toEqual({ action: "taken", status: "cancel_requested" });
    // The victim keeps the hold; the order's two units came out of available.
    expect(await counters(d)).toEqual({ allocated: 5, available: 2, held: 1, sold: 2 });
    const calls = await h.queues.queue(QUEUE_NAMES.platformCalls).getJobs(["waiting", "delayed"]);
    expect(calls.map((job) => job.data)).toContainEqual(expect.objectContaining({ type: "cancelOrder", platformOrderRef: ref }));
    await reportStock(d);
    await flushed(d);
  });

  it("records an overrun as an oversell with the order when no unit is left", async () => {
    const d = await drop("over", 2, "flag");
    const ref = await placeOrder(d, 5);
    expect(await processOrder(ref)).toEqual({ action: "oversold", status: "oversold_on_platform" });
    const row = await h.db.order.findUniqueOrThrow({ where: { saleId_platformOrderRef: { saleId: d.saleId, platformOrderRef: ref } } });
    expect(JSON.parse(row.oversoldLinesJson)).toEqual([{ itemId: d.item.itemId, quantity: 3 }]);
    expect((await h.app.holds.snapshot(d.saleId))?.oversold).toEqual({ [d.item.itemId]: 3 });
    expect(await counters(d)).toEqual({ allocated: 2, available: 0, held: 0, sold: 2 });
    await reportStock(d);
    await writeBack.flushSale(d.saleId);
    expect(level(d).available).toBeLessThanOrEqual(0);
  });
});

describe("a POS sale mid-drop", () => {
  it("lowers available, is never overwritten by the write-back, and a POS order is never cancelled", async () => {
    const d = await drop("pos", 10, "cancel");
    await holdWithToken(d, 2);
    await writeBack.flushSale(d.saleId);
    expect(level(d).available).toBe(8);

    // A cashier sells 3 at the counter (a POS stock change Holdfast hears of only by the stock webhook).
    level(d).available -= 3;
    d.physical -= 3;
    // Another shopper holds one, and a flush runs before that webhook: the platform refuses to be
    // overwritten (compare-and-set) and stays at 5.
    await holdWithToken(d, 1);
    await expect(writeBack.flushSale(d.saleId)).rejects.toMatchObject({ kind: "conflict" });
    expect(level(d).available).toBe(5);
    await expectPlatformWithinPhysical(d);
    // The webhook arrives (the flush already re-read the same news): the sale has 3 fewer units to sell.
    await reportStock(d);
    expect(await counters(d)).toEqual({ allocated: 7, available: 4, held: 3, sold: 0 });
    await flushed(d);

    // A POS order for the drop item: flagged, not cancelled, counted once with its stock webhook.
    const ref = await placeOrder(d, 1, { source: "pos" });
    await reportStock(d);
    expect(await processOrder(ref)).toEqual({ action: "taken", status: "flagged" });
    const calls = await h.queues.queue(QUEUE_NAMES.platformCalls).getJobs(["waiting", "delayed"]);
    expect(calls.map((job) => job.data.platformOrderRef)).not.toContain(ref);
    await flushed(d);
    const after = await counters(d);
    expect(after).toMatchObject({ held: 3, sold: 1 });
    expect(after.available + after.held).toBe(d.physical);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { PlatformError } from "../../../app/core/platform/index.ts";
import { CostBudget } from "../../../app/core/resilience/index.ts";
import { ShopifyPlatform, stockRef } from "../../../app/platforms/shopify/index.ts";
import { SHOP, shopifyRig, type Rig } from "../../support/shopify/adapter.ts";
import { gid } from "../../support/shopify/standIn.ts";

let rig: Rig;
beforeEach(async () => {
  rig = await shopifyRig({ maximumAvailable: 1000, restoreRate: 100 });
});
afterEach(() => rig.close());

const ref = (item: number, location = 1) => stockRef({ inventoryItemId: gid("InventoryItem", item), locationId: gid("Location", location) });

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

describe("ShopifyPlatform: stock", () => {
  beforeEach(() => {
    rig.shop.stock({ item: 1, location: 1, available: 10 });
    rig.shop.stock({ item: 2, location: 1, available: 4 });
    rig.shop.stock({ item: 2, location: 2, available: 7 });
    rig.shop.stock({ item: 3, location: 2, available: 0 });
  });

  it("reads available quantities across locations, in the order asked, leaving out what Shopify does not know", async () => {
    const platform = rig.platform();
    const levels = await platform.readStock([ref(2, 2), ref(1), ref(99), ref(3, 1), ref(2, 1), ref(3, 2)]);
    expect(levels).toEqual([
      { ref: ref(2, 2), available: 7 },
      { ref: ref(1), available: 10 },
      { ref: ref(2, 1), available: 4 },
      { ref: ref(3, 2), available: 0 },
    ]);
    expect(rig.shop.stats.operations).toEqual({ HoldfastInventoryLevels: 2 }); // one query per location
  });

  it("writes absolute quantities, compare-and-set against what we last saw", async () => {
    const platform = rig.platform();
    await platform.writeStock(
      [
        { ref: ref(1), available: 8, previous: 10 },
        { ref: ref(2), available: 3 },
      ],
      "sync-1",
    );
    expect([rig.shop.level(1, 1)?.available, rig.shop.level(2, 1)?.available]).toEqual([8, 3]);
  });

  it("refuses a stale compare as a conflict and changes nothing", async () => {
    const platform = rig.platform();
    rig.shop.level(1, 1)!.available = 9; // sold on Shopify meanwhile
    const error = await failure(
      platform.writeStock(
        [
          { ref: ref(1), available: 8, previous: 10 },
          { ref: ref(2), available: 3, previous: 4 },
        ],
        "sync-2",
      ),
    );
    expect(error).toMatchObject({ kind: "conflict", details: { code: "CHANGE_FROM_QUANTITY_STALE" }, retryable: true });
    expect([rig.shop.level(1, 1)?.available, rig.shop.level(2, 1)?.available]).toEqual([9, 4]);
    // The caller re-reads and writes again under a new key.
    const [now] = await platform.readStock([ref(1)]);
    await platform.writeStock([{ ref: ref(1), available: 8, previous: now!.available }], "sync-3");
    expect(rig.shop.level(1, 1)?.available).toBe(8);
  });

  it("applies a retried write once: the answer was lost, the retry under the same key is a replay", async () => {
    const platform = rig.platform({ policy: { retries: 2, backoff: { initialDelayMs: 1, maxDelayMs: 10 } } });
    rig.shop.failNext(1, "lost");
    await platform.adjustStock([{ ref: ref(1), delta: 5, previous: 10 }], "restock-1");
    expect(rig.shop.level(1, 1)?.available).toBe(15); // not 20
    expect(rig.shop.stats).toMatchObject({ failed: 1, replays: 1 });
    expect(rig.shop.stats.operations.HoldfastInventoryAdjustQuantities).toBe(2);

    rig.shop.failNext(1, "lost");
    await platform.writeStock([{ ref: ref(2), available: 1, previous: 4 }], "sync-4");
    rig.shop.level(2, 1)!.available = 0; // a sale after our write landed
    await platform.writeStock([{ ref: ref(2), available: 1, previous: 4 }], "sync-4"); // a job retry, same key
    expect(rig.shop.level(2, 1)?.available).toBe(0);
  });

  it("maps userErrors: not stocked -> rejected, unknown item -> not_found; refuses oversized batches before sending", async () => {
    const platform = rig.platform();
    expect(await failure(platform.writeStock([{ ref: ref(3, 1), available: 1 }], "k1"))).toMatchObject({
      kind: "rejected",
      details: { code: "ITEM_NOT_STOCKED_AT_LOCATION" },
    });
    expect(await failure(platform.writeStock([{ ref: ref(42, 1), available: 1 }], "k2"))).toMatchObject({
      kind: "not_found",
      details: { code: "INVALID_INVENTORY_ITEM" },
    });
    const many = Array.from({ length: 251 }, (_, i) => ({ ref: ref(i + 1), available: 1 }));
    expect(platform.maxBatch).toBe(250);
    expect(await failure(platform.writeStock(many, "k3"))).toMatchObject({ kind: "rejected", details: { code: "batch_too_large" } });
    expect(await failure(platform.writeStock([{ ref: "123", available: 1 }], "k4"))).toMatchObject({ kind: "rejected", details: { code: "bad_ref" } });
    expect(await failure(platform.writeStock([{ ref: ref(1), available: 1 }], " "))).toMatchObject({
      kind: "rejected",
      details: { code: "bad_idempotency_key" },
    });
    expect(rig.shop.stats.requests).toBe(2);
  });
});

describe("ShopifyPlatform: orders", () => {
  let variant: number;
  beforeEach(() => {
    variant = rig.shop.stock({ item: 1, location: 1, available: 10 }).variantId;
    rig.shop.stock({ item: 2, location: 1, available: 5 });
  });

  it("creates a draft order that reserves stock until the deadline, and pays through its invoice", async () => {
    const platform = rig.platform();
    const reserveUntil = new Date(Date.now() + 15 * 60_000);
    const created = await platform.createOrder({
      orderId: "ord_1",
      lines: [
        { ref: ref(1), quantity: 2 },
        { ref: gid("ProductVariant", rig.shop.items.get(2)!.variantId), quantity: 1 },
      ],
      customer: { email: "shopper@example.com", name: "Ada" },
      reserveUntil,
    });
    expect(created.platformOrderRef).toMatch(/^gid:\/\/shopify\/DraftOrder\/\d+$/);
    expect(created.paymentUrl).toMatch(new RegExp(`^https://${SHOP}/1/invoices/[0-9a-f]+$`));
    const draft = rig.shop.draftOrders.get(Number(created.platformOrderRef.split("/").pop()))!;
    expect(draft).toMatchObject({
      status: "OPEN",
      reserveInventoryUntil: reserveUntil.toISOString(),
      lines: [
        { variantId: variant, quantity: 2 },
        { variantId: rig.shop.items.get(2)!.variantId, quantity: 1 },
      ],
      email: "shopper@example.com",
      tags: ["holdfast-order-ord_1"],
      customAttributes: [{ key: "holdfast_order_id", value: "ord_1" }],
    });
    expect([rig.shop.level(1, 1), rig.shop.level(2, 1)]).toEqual([
      { available: 8, onHand: 10, reserved: 2 },
      { available: 4, onHand: 5, reserved: 1 },
    ]);
  });

  it("does not create a second draft when the same order is retried", async () => {
    const platform = rig.platform();
    const order = { orderId: "ord/2 with odd chars", lines: [{ ref: ref(1), quantity: 1 }], customer: null };
    const first = await platform.createOrder(order);
    const again = await platform.createOrder(order);
    expect(again).toEqual(first);
    expect(rig.shop.draftOrders.size).toBe(1);
  });

  it("never re-sends a draft order blindly: a lost answer fails the call, the job's retry finds the draft", async () => {
    const platform = rig.platform({ policy: { retries: 3, backoff: { initialDelayMs: 1, maxDelayMs: 10 } } });
    const order = { orderId: "ord_lost", lines: [{ ref: ref(1), quantity: 1 }], customer: null, reserveUntil: new Date(Date.now() + 60_000) };
    rig.shop.failNext(1, "lost", "HoldfastDraftOrderCreate"); // the create runs, its answer is lost
    expect(await failure(platform.createOrder(order))).toMatchObject({ kind: "unavailable" });
    expect(rig.shop.stats.operations).toMatchObject({ HoldfastFindDraftOrder: 1, HoldfastDraftOrderCreate: 1 });
    expect(rig.shop.draftOrders.size).toBe(1);
    const retried = await platform.createOrder(order);
    expect(rig.shop.draftOrders.size).toBe(1);
    expect(retried.platformOrderRef).toBe(gid("DraftOrder", [...rig.shop.draftOrders.keys()][0]!));
    expect(rig.shop.level(1, 1)?.available).toBe(9); // reserved once
  });

  it("refuses unknown variants and refs", async () => {
    const platform = rig.platform();
    expect(await failure(platform.createOrder({ orderId: "o3", lines: [{ ref: ref(77), quantity: 1 }], customer: null }))).toMatchObject({ kind: "not_found" });
    expect(await failure(platform.createOrder({ orderId: "o4", lines: [{ ref: gid("ProductVariant", 77), quantity: 1 }], customer: null }))).toMatchObject({
      kind: "rejected",
      message: expect.stringContaining("no longer available"),
    });
    expect(await failure(platform.createOrder({ orderId: "o5", lines: [{ ref: ref(1), quantity: 0 }], customer: null }))).toMatchObject({ kind: "rejected" });
  });

  it("cancels an unpaid draft by deleting it, which releases its reservation; twice is fine", async () => {
    const platform = rig.platform();
    const { platformOrderRef } = await platform.createOrder({
      orderId: "o6",
      lines: [{ ref: ref(1), quantity: 3 }],
      customer: null,
      reserveUntil: new Date(Date.now() + 60_000),
    });
    expect(rig.shop.level(1, 1)?.available).toBe(7);
    await platform.cancelOrder(platformOrderRef, "payment failed");
    expect(rig.shop.draftOrders.size).toBe(0);
    expect(rig.shop.level(1, 1)).toEqual({ available: 10, onHand: 10, reserved: 0 });
    await platform.cancelOrder(platformOrderRef, "payment failed");
  });

  it("cancels a placed order (restock, refund, notify) and treats a repeat as done", async () => {
    const platform = rig.platform();
    const order = rig.shop.placeOrder([{ itemId: 1, locationId: 1, quantity: 2 }]);
    expect(rig.shop.level(1, 1)?.available).toBe(8);
    await platform.cancelOrder(gid("Order", order.id), "bypassed the waiting room");
    expect(rig.shop.orders.get(order.id)).toMatchObject({
      cancelReason: "OTHER",
      staffNote: "Holdfast: bypassed the waiting room",
      restocked: true,
      refunded: true,
      notified: true,
    });
    expect(rig.shop.level(1, 1)?.available).toBe(10);
    await platform.cancelOrder(gid("Order", order.id), "bypassed the waiting room");
    expect(await failure(platform.cancelOrder(gid("Order", 31337), "x"))).toMatchObject({ kind: "not_found" });
    expect(await failure(platform.cancelOrder("31337", "x"))).toMatchObject({ kind: "rejected", details: { code: "bad_ref" } });
  });

  it("cancels the order of a paid draft", async () => {
    const platform = rig.platform({ cancel: { notifyCustomer: false, refund: false } });
    const { platformOrderRef } = await platform.createOrder({
      orderId: "o7",
      lines: [{ ref: ref(1), quantity: 1 }],
      customer: null,
      reserveUntil: new Date(Date.now() + 60_000),
    });
    const order = rig.shop.completeDraftOrder(Number(platformOrderRef.split("/").pop()));
    await platform.cancelOrder(platformOrderRef, "fraud check");
    expect(rig.shop.orders.get(order.id)).toMatchObject({ cancelledAt: expect.any(String), restocked: true, refunded: false, notified: false });
    expect(rig.shop.level(1, 1)).toMatchObject({ available: 10, reserved: 0 });
  });
});

describe("ShopifyPlatform: errors", () => {
  beforeEach(() => {
    rig.shop.stock({ item: 1, location: 1, available: 10 });
  });

  it.each([
    ["HTTP 500", "http500", { kind: "unavailable", details: { status: 500 } }],
    ["HTTP 503", "http503", { kind: "unavailable", details: { status: 503 } }],
    ["a dropped connection", "reset", { kind: "unavailable" }],
  ] as const)("%s -> unavailable", async (_name, mode, expected) => {
    rig.shop.failNext(1, mode);
    expect(await failure(rig.platform().readStock([ref(1)]))).toMatchObject(expected);
  });

  it("a revoked token -> unauthorized; an unknown shop -> not_found", async () => {
    const revoked = rig.platform({ accessToken: "shpat_revoked" });
    expect(await failure(revoked.readStock([ref(1)]))).toMatchObject({ kind: "unauthorized", details: { status: 401 } });
    const elsewhere = new ShopifyPlatform({ shopDomain: "other-shop.myshopify.com", accessToken: "x", fetchApi: rig.standIn.fetch, budget: new CostBudget() });
    expect(await failure(elsewhere.readStock([ref(1)]))).toMatchObject({ kind: "not_found", details: { status: 404 } });
  });

  it("THROTTLED (someone else drained the bucket) -> throttled with the wait computed from throttleStatus", async () => {
    const platform = rig.platform();
    await platform.readStock([ref(1)]); // the budget learns the bucket
    rig.shop.bucket.restoreRate = 2; // nothing refills meanwhile, however slow the machine
    rig.shop.drain(0);
    const error = await failure(platform.writeStock([{ ref: ref(1), available: 1 }], "k"));
    // 10 points at 2 points/s
    expect(error).toMatchObject({ kind: "throttled", details: { code: "THROTTLED" } });
    expect(error.details.retryAfterMs).toBeGreaterThan(4_000);
    expect(error.details.retryAfterMs).toBeLessThanOrEqual(5_000);
    expect(rig.shop.level(1, 1)?.available).toBe(10);
  });

  it("a timeout -> unavailable (code timeout), the request aborted", async () => {
    rig.shop.failNext(1, "timeout");
    const platform = rig.platform({ policy: { timeoutMs: 100 } });
    expect(await failure(platform.readStock([ref(1)]))).toMatchObject({ kind: "unavailable", details: { code: "timeout" } });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { TestPaymentProvider } from "../../../app/platforms/payments/index.ts";
import { expectInvariant } from "../inventory/invariant.ts";
import { CheckoutHarness, UNIT_PRICE } from "./harness.ts";

describe("checkout worker with the test provider", () => {
  let h: CheckoutHarness;
  beforeAll(async () => {
    h = await CheckoutHarness.create("co");
    h.startWorker();
  });
  afterAll(() => h?.close());

  it("approve: queued -> placed, payment captured once, platform order created, hold committed, SQL row under our order id", async () => {
    const sale = await h.createSale("approve");
    const { holdId, orderId } = await h.checkout(sale, { method: "test", outcome: "approve" }, 2);
    expect((await h.store.get(sale.saleId, orderId))?.status).toMatch(/queued|processing|placed/);
    await h.waitForJob(orderId);

    const order = await h.store.get(sale.saleId, orderId);
    expect(order).toMatchObject({ status: "placed", platformOrderRef: expect.stringMatching(/^co_\d+$/), payment: null });
    const merchantOrder = h.shop.orders.get(order?.platformOrderRef ?? "");
    expect(merchantOrder).toMatchObject({ orderId, lines: [{ ref: "ref-sku", quantity: 2 }], status: "open" });
    expect([...h.shop.orders.values()].filter((o) => o.orderId === orderId)).toHaveLength(1);
    expect(JSON.parse((await h.redis.get(TestPaymentProvider.key(orderId))) ?? "{}")).toMatchObject({
      state: "captured",
      amount: { amountMinor: 2 * UNIT_PRICE, currency: "EUR" },
    });

    const snapshot = await h.holds.snapshot(sale.saleId);
    expectInvariant(snapshot);
    expect(snapshot?.items.sku).toEqual({ allocated: 10, available: 8, held: 0, sold: 2 });
    expect(await h.redis.hget(`hf:{s:${sale.saleId}}:orders`, order?.platformOrderRef ?? "")).toBe(holdId);
    const row = await h.db.order.findUnique({ where: { id: orderId } });
    expect(row).toMatchObject({ saleId: sale.saleId, status: "placed", platformOrderRef: order?.platformOrderRef, holdId, bypass: false });
  });

  it("decline: the hold goes back to the shelf, the order fails with a code the storefront can show, no platform order", async () => {
    const sale = await h.createSale("decline");
    const ordersBefore = h.shop.orders.size;
    const { orderId } = await h.checkout(sale, { method: "test", outcome: "decline" });
    await h.waitForJob(orderId);

    expect(await h.store.get(sale.saleId, orderId)).toMatchObject({
      status: "failed",
      error: { code: "payment_declined", message: expect.stringContaining("declined") },
    });
    expect((await h.holds.snapshot(sale.saleId))?.items.sku).toEqual({ allocated: 10, available: 10, held: 0, sold: 0 });
    expect(h.shop.orders.size).toBe(ordersBefore);
    expect(await h.redis.get(TestPaymentProvider.key(orderId))).toBeNull();
    expect((await h.db.order.findUnique({ where: { id: orderId } }))?.status).toBe("failed");
  });

  it("a standalone sale (no platform store) is placed as Holdfast's own order", async () => {
    const sale = await h.createSale("alone", { standalone: true });
    const { orderId } = await h.checkout(sale);
    await h.waitForJob(orderId);
    expect(await h.store.get(sale.saleId, orderId)).toMatchObject({ status: "placed", platformOrderRef: orderId });
    expect((await h.holds.snapshot(sale.saleId))?.items.sku?.sold).toBe(1);
  });

  it("the same order queued twice and processed again changes nothing", async () => {
    const sale = await h.createSale("dup");
    const { orderId } = await h.checkout(sale);
    await h.waitForJob(orderId);
    await h.queue.enqueue({ saleId: sale.saleId, orderId });
    // Processing it again by hand (a replayed dead letter, a second worker) is a no-op too.
    expect(await h.processor().process(sale.saleId, orderId)).toEqual({ status: "placed" });
    expect([...h.shop.orders.values()].filter((o) => o.orderId === orderId)).toHaveLength(1);
    expect((await h.holds.snapshot(sale.saleId))?.items.sku).toMatchObject({ held: 0, sold: 1 });
    expect(await h.db.order.count({ where: { saleId: sale.saleId } })).toBe(1);
  });

  it("a platform that refuses the order fails it and releases the hold", async () => {
    const sale = await h.createSale("refuse");
    h.shop.fail({ status: 422, code: "unknown_ref" });
    const { orderId } = await h.checkout(sale);
    await h.waitForJob(orderId);
    expect(await h.store.get(sale.saleId, orderId)).toMatchObject({ status: "failed", error: { code: "platform_rejected" } });
    expect((await h.holds.snapshot(sale.saleId))?.items.sku).toMatchObject({ available: 10, held: 0, sold: 0 });
    expect(JSON.parse((await h.redis.get(TestPaymentProvider.key(orderId))) ?? "{}")).toMatchObject({ state: "refunded", reason: "platform_rejected" });
  });
});

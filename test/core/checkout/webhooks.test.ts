import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { holdEngineInventory, OrderBusyError, OrderLocks, OrderProcessor, PlatformCallQueue } from "../../../app/core/orders/index.ts";
import { quietLogger } from "../orders/harness.ts";
import { CheckoutHarness, type CheckoutSale } from "./harness.ts";
import { testKeyrings } from "../../support/holdTokens.ts";

/** The platform's own orders/create webhook for an order our checkout placed must be recognised as ours. */
describe("webhooks about checkout orders", () => {
  let h: CheckoutHarness;
  let processor: OrderProcessor;
  beforeAll(async () => {
    h = await CheckoutHarness.create("cowh");
    processor = new OrderProcessor({
      inventory: holdEngineInventory(h.holds, h.redis),
      orders: h.orders.repository,
      platformCalls: new PlatformCallQueue(h.queues),
      locks: new OrderLocks(h.redis, { ttlMs: 5_000, waitMs: 200 }),
      keyrings: testKeyrings,
      checkouts: h.store,
      logger: quietLogger,
    });
  });
  afterAll(() => h?.close());

  async function placed(label: string): Promise<{ sale: CheckoutSale; holdId: string; orderId: string; ref: string }> {
    const sale = await h.createSale(label);
    const { holdId, orderId } = await h.checkout(sale);
    expect(await h.processor().process(sale.saleId, orderId)).toEqual({ status: "placed" });
    const ref = (await h.store.get(sale.saleId, orderId))?.platformOrderRef ?? "";
    return { sale, holdId, orderId, ref };
  }

  it("after placement, the webhook under the same reference (WooCommerce, custom store) is a duplicate, not a bypass", async () => {
    const { sale, orderId, ref } = await placed("same");
    for (const holdId of [undefined, (await h.store.get(sale.saleId, orderId))?.holdId]) {
      const outcome = await processor.process(h.orders.event(sale, { platformOrderRef: ref, ...(holdId ? { holdId } : {}) }));
      expect(outcome).toEqual({ action: "duplicate", status: "placed" });
    }
    expect((await h.holds.snapshot(sale.saleId))?.items.sku).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
    const rows = await h.db.order.findMany({ where: { saleId: sale.saleId } });
    expect(rows).toEqual([expect.objectContaining({ id: orderId, status: "placed", bypass: false })]);
  });

  it("an order reported under another reference with our hold (a Shopify draft completed) sells nothing twice", async () => {
    const { sale, holdId } = await placed("draft");
    const outcome = await processor.process(h.orders.event(sale, { platformOrderRef: "gid://shopify/Order/77", holdId }));
    expect(outcome).toEqual({ action: "committed", status: "committed" });
    expect((await h.holds.snapshot(sale.saleId))?.items.sku).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
    expect(await h.db.order.count({ where: { saleId: sale.saleId, bypass: true } })).toBe(0);
  });

  it("a webhook that overtakes the checkout waits (busy, retried later) instead of committing or taking", async () => {
    const sale = await h.createSale("early");
    const { holdId, orderId } = await h.checkout(sale);
    // The custom-store stand-in numbers orders co_1, co_2, ...: the next one is predictable.
    const ref = `co_${h.shop.orders.size + 1}`;
    await expect(processor.process(h.orders.event(sale, { platformOrderRef: ref, holdId }))).rejects.toBeInstanceOf(OrderBusyError);
    expect((await h.holds.snapshot(sale.saleId))?.items.sku).toMatchObject({ held: 1, sold: 0 });

    expect(await h.processor().process(sale.saleId, orderId)).toEqual({ status: "placed" });
    expect((await h.store.get(sale.saleId, orderId))?.platformOrderRef).toBe(ref);
    expect(await processor.process(h.orders.event(sale, { platformOrderRef: ref, holdId }))).toEqual({ action: "duplicate", status: "placed" });
    expect((await h.holds.snapshot(sale.saleId))?.items.sku).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
  });

  it("if the webhook's row was written first, the checkout takes it over: one row, under our order id", async () => {
    const sale = await h.createSale("rival");
    const { holdId, orderId } = await h.checkout(sale);
    const ref = `co_${h.shop.orders.size + 1}`;
    // A processor that does not know about checkouts (an older worker) commits the hold first.
    const blind = new OrderProcessor({
      inventory: holdEngineInventory(h.holds, h.redis),
      orders: h.orders.repository,
      platformCalls: new PlatformCallQueue(h.queues),
      locks: new OrderLocks(h.redis),
      keyrings: testKeyrings,
      logger: quietLogger,
    });
    expect(await blind.process(h.orders.event(sale, { platformOrderRef: ref, holdId }))).toEqual({ action: "committed", status: "committed" });
    expect(await h.processor().process(sale.saleId, orderId)).toEqual({ status: "placed" });
    const rows = await h.db.order.findMany({ where: { saleId: sale.saleId } });
    expect(rows).toEqual([expect.objectContaining({ id: orderId, platformOrderRef: ref, status: "placed" })]);
    expect((await h.holds.snapshot(sale.saleId))?.items.sku).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
  });

  it("a cancellation webhook after placement is recorded on our row; the units stay sold", async () => {
    const { sale, orderId, ref } = await placed("cancel");
    const outcome = await processor.process(h.orders.event(sale, { platformOrderRef: ref, kind: "cancelled", lines: [] }));
    expect(outcome.action).toBe("cancelled_after_sale");
    expect(await h.db.order.findUnique({ where: { id: orderId } })).toMatchObject({ status: "cancelled_after_sale" });
  });
});

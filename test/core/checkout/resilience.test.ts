import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { CheckoutHarness, UNIT_PRICE } from "./harness.ts";

describe("checkout through the HTTP payment provider and a failing platform", () => {
  let h: CheckoutHarness;
  beforeAll(async () => {
    h = await CheckoutHarness.create("cor", { gateway: true });
    h.startWorker({ breakerDeferMs: 200 });
  });
  afterAll(() => h?.close());

  it("signs every gateway request and charges once although the platform failed twice (retries repeat the capture by idempotency key)", async () => {
    const sale = await h.createSale("retry");
    h.shop.fail({ status: 500 }, 2);
    const { orderId } = await h.checkout(sale, { token: "tok_visa" });
    await h.waitForJob(orderId);

    expect(await h.store.get(sale.saleId, orderId)).toMatchObject({ status: "placed" });
    const job = await h.checkoutQueue.getJob(orderId);
    expect(job?.attemptsMade).toBe(3);
    const captures = h.gateway!.requests.filter((request) => request.idempotencyKey === `capture:${orderId}`);
    expect(captures.length).toBe(3);
    expect(captures.every((request) => request.signature)).toBe(true);
    expect(h.gateway!.charges.get(orderId)).toBe(UNIT_PRICE);
    expect([...h.shop.orders.values()].filter((o) => o.orderId === orderId)).toHaveLength(1);
    expect((await h.holds.snapshot(sale.saleId))?.items.sku).toMatchObject({ held: 0, sold: 1 });
  });

  it("a declined card: nothing charged, hold released, code from the gateway", async () => {
    const sale = await h.createSale("card");
    const { orderId } = await h.checkout(sale, { token: "decline" });
    await h.waitForJob(orderId);
    expect(await h.store.get(sale.saleId, orderId)).toMatchObject({ status: "failed", error: { code: "card_declined" } });
    expect(h.gateway!.charges.has(orderId)).toBe(false);
    expect((await h.holds.snapshot(sale.saleId))?.items.sku).toMatchObject({ available: 10, held: 0 });
  });

  it("a gateway outage is retried; after the last attempt the order fails, the hold is released and the job is dead-lettered", async () => {
    const sale = await h.createSale("gwdown");
    h.gateway!.fail(503, 10);
    const { orderId } = await h.checkout(sale, { token: "tok_visa" });
    await h.waitForJob(orderId, ["failed"]);
    // The gateway is still down: the order has failed, the refund waits for a replay.
    expect(await h.store.get(sale.saleId, orderId)).toMatchObject({ status: "failed", error: { code: "checkout_unavailable" }, refundPending: true });
    expect((await h.holds.snapshot(sale.saleId))?.items.sku).toMatchObject({ available: 10, held: 0, sold: 0 });
    expect(h.gateway!.charges.has(orderId)).toBe(false);
    const letters = await h.deadLetters.list();
    const letter = letters.find((candidate) => candidate.jobId === orderId);
    expect(letter).toMatchObject({ queue: "checkout", attemptsMade: 4 });

    // The operator replays once the gateway is back: only the refund is left to do.
    h.gateway!.clearFaults();
    expect((await h.deadLetters.replay(letter!.id)).outcome).toBe("replayed");
    await h.waitForJob(orderId);
    expect(await h.store.get(sale.saleId, orderId)).toMatchObject({ status: "failed", refundPending: false });
    h.gateway!.clearFaults();
  });

  it("an open breaker defers the job without spending its attempts, and the order is placed once the platform is back", async () => {
    const sale = await h.createSale("breaker");
    // Three outages open the store's breaker (harness policy); later calls are refused locally.
    h.shop.fail({ status: 503 }, 3);
    const { orderId } = await h.checkout(sale, { token: "tok_visa" });
    await h.waitForJob(orderId);
    const job = await h.checkoutQueue.getJob(orderId);
    // Three real failures spent attempts; the run(s) that met the open breaker were deferred
    // (started, not counted as made), so the fourth and last attempt was still there for the success.
    expect(job?.attemptsMade).toBe(4);
    expect(job?.attemptsStarted).toBeGreaterThan(4);
    expect(h.shop.deliveries.filter((delivery) => delivery.path.endsWith("/events") && delivery.status === 503)).toHaveLength(3);
    expect(await h.store.get(sale.saleId, orderId)).toMatchObject({ status: "placed" });
    expect(h.directory.breakers().find((breaker) => breaker.storeId === sale.storeId)?.state).toBe("closed");
    expect(h.gateway!.charges.get(orderId)).toBe(UNIT_PRICE);
  });
});

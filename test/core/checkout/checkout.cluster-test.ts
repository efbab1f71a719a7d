// Headless checkout on a 3-master Redis Cluster (the `cluster` project): the checkout record
// shares the sale's hash tag with the hold it opens on, the checkout queue has its own.
import { Cluster } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";

import { TestPaymentProvider } from "../../../app/platforms/payments/index.ts";
import { CheckoutHarness } from "./harness.ts";

let h: CheckoutHarness;
beforeAll(async () => {
  h = await CheckoutHarness.create("cocluster");
  h.startWorker();
});
afterAll(() => h?.close());

it("opens, queues, places and declines checkouts on Redis Cluster", async () => {
  expect(h.redis).toBeInstanceOf(Cluster);
  const sale = await h.createSale("cluster");
  const approved = await h.checkout(sale, { method: "test" });
  const declined = await h.checkout(sale, { method: "test", outcome: "decline" });
  await h.waitForJob(approved.orderId);
  await h.waitForJob(declined.orderId);
  expect(await h.store.get(sale.saleId, approved.orderId)).toMatchObject({ status: "placed" });
  expect(await h.store.get(sale.saleId, declined.orderId)).toMatchObject({ status: "failed", error: { code: "payment_declined" } });
  expect(await h.redis.get(TestPaymentProvider.key(approved.orderId))).not.toBeNull();
  expect((await h.holds.snapshot(sale.saleId))?.items.sku).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
});

import { afterAll, beforeAll, expect, it } from "vitest";

import { holdEngineInventory, orderEventJobId } from "../../app/core/orders/index.ts";
import { QUEUE_NAMES } from "../../app/core/queues/index.ts";
import { createRedis } from "../../app/core/redis.ts";
import { expectInvariant } from "../core/inventory/invariant.ts";
import { OrdersHarness } from "../core/orders/harness.ts";
import { startPrivateRedis, type PrivateRedis } from "./privateRedis.ts";

let server: PrivateRedis;
beforeAll(async () => {
  server = await startPrivateRedis();
});
afterAll(() => server?.stop());

it("a Redis killed with SIGKILL and restarted with AOF loses no hold, committed order or queued job", async () => {
  const before = await OrdersHarness.create("aof", { redis: createRedis({ mode: "standalone", url: server.url }) });
  const sale = await before.createSale("aof", { items: [{ itemId: "sku", allocation: 10 }] });
  const holds = await Promise.all([1, 2, 3, 4].map((i) => before.reserve(sale.saleId, [{ itemId: "sku", quantity: 1 }], `shopper-${i}`)));
  // One order committed straight through the engine, two waiting in the queue, one hold left alone.
  expect((await before.holds.commit(sale.saleId, holds[0] ?? "", "P-0")).outcome).toBe("committed");
  const events = [1, 2].map((i) => before.event(sale, { platformOrderRef: `P-${i}`, holdId: holds[i] ?? "" }));
  for (const event of events) expect((await before.intake.enqueue(event)).outcome).toBe("queued");
  const snapshotBefore = await before.holds.snapshot(sale.saleId);
  expect(snapshotBefore?.items.sku).toEqual({ allocated: 10, available: 6, held: 3, sold: 1 });

  await server.crash();
  await before.abandon();
  await server.start();

  // Same database and queue namespace, new connections: what a restarted worker sees.
  const after = await OrdersHarness.create("aof", {
    redis: createRedis({ mode: "standalone", url: server.url }),
    namespace: before.namespace,
    database: before.database,
  });
  try {
    expect(await after.holds.snapshot(sale.saleId)).toEqual(snapshotBefore);
    expect(await holdEngineInventory(after.holds, after.redis).recordedOrder(sale.saleId, "P-0")).toBe(holds[0]);
    expect(await after.orderQueue.getJobCounts("waiting")).toEqual({ waiting: 2 });
    // The dedup markers survived too: a redelivery is still a duplicate.
    expect(await after.intake.enqueue(events[0])).toMatchObject({ outcome: "duplicate" });

    // And the queued orders are processed as if nothing had happened.
    after.startWorker();
    for (const event of events) await after.waitForJob(orderEventJobId(event.eventId));
    const rows = await after.db.order.findMany({ where: { saleId: sale.saleId }, orderBy: { platformOrderRef: "asc" } });
    expect(rows.map((row) => [row.platformOrderRef, row.status, row.holdId])).toEqual([
      ["P-1", "committed", holds[1]],
      ["P-2", "committed", holds[2]],
    ]);
    const final = await after.holds.snapshot(sale.saleId);
    expectInvariant(final);
    expect(final?.items.sku).toEqual({ allocated: 10, available: 6, held: 1, sold: 3 });
    expect(await after.queues.queue(QUEUE_NAMES.deadLetter).count()).toBe(0);
  } finally {
    await after.close();
  }
}, 40_000);

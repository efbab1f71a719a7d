// startWorker runs the write-back (and its scheduler), the platform-calls worker and the
// reconciliation scheduler next to the order worker, and stop() ends them all.
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, expect, it } from "vitest";

import { PlatformCallQueue } from "../../app/core/orders/index.ts";
import { QUEUE_NAMES } from "../../app/core/queues/index.ts";
import { SaleService } from "../../app/core/sales/index.ts";
import { RECONCILIATION_SCHEDULER, WRITE_BACK_SCHEDULER } from "../../app/core/sync/index.ts";
import { WaitingRoom } from "../../app/core/waiting-room/index.ts";
import { PrismaSaleRepository } from "../../app/db/PrismaSaleRepository.ts";
import { startWorker, type RunningWorker } from "../../app/composition/worker.server.ts";
import { quietLogger, SyncHarness } from "../core/sync/harness.ts";

let h: SyncHarness;
let worker: RunningWorker;
let room: WaitingRoom;

beforeAll(async () => {
  h = await SyncHarness.create("wiring");
  room = new WaitingRoom(h.redis, { registryKey: `hf:test:wiring-${randomBytes(4).toString("hex")}:rooms` });
  const sales = new SaleService({ repository: new PrismaSaleRepository(h.db), holds: h.holds, room });
  worker = startWorker(
    { redis: h.redis, db: h.db, holds: h.holds, room, sales, masterKey: { key: h.masterKey, source: "env", generated: false } },
    quietLogger,
    { env: {}, queueNamespace: h.namespace, flushIntervalMs: 200, reconcileIntervalMs: 700, ledgerIntervalMs: 200, platforms: h.platforms },
  );
  await worker.ready;
});

afterAll(async () => {
  await worker?.stop();
  await h?.redis.del(room.registryKey);
  await h?.close();
});

it("installs one write-back and one reconciliation scheduler at the configured intervals", async () => {
  const writeBack = await h.queues.queue(QUEUE_NAMES.writeBack).getJobScheduler(WRITE_BACK_SCHEDULER);
  const reconciliation = await h.queues.queue(QUEUE_NAMES.reconciliation).getJobScheduler(RECONCILIATION_SCHEDULER);
  expect(writeBack?.every).toBe(200);
  expect(reconciliation?.every).toBe(700);
});

it("writes stock changes back to the platform", async () => {
  const sale = await h.createSale("woocommerce", 3, 9);
  await h.holds.adjust(sale.saleId, sale.items[0]!.itemId, 4);
  await h.waitFor(async () => JSON.stringify(h.platformStocks("woocommerce", sale)) === JSON.stringify(await h.holdfastStock(sale)), "the write-back");
  expect(h.woo.stockOf(sale.items[0]!.ref)).toBe(13);
});

it("runs queued platform calls", async () => {
  const storeId = await h.storeFor("woocommerce");
  const product = h.woo.addProduct({ stock: 5 });
  const created = await (
    await worker.platforms.forStore(storeId)
  ).createOrder({ orderId: `o-${randomBytes(3).toString("hex")}`, lines: [{ ref: String(product), quantity: 1 }], customer: null });
  const jobId = await new PlatformCallQueue(worker.queues).enqueue({
    type: "cancelOrder",
    storeId,
    platformOrderRef: created.platformOrderRef,
    reason: "bypass",
    saleId: "t-wiring",
  });
  await h.waitFor(async () => (await worker.queues.queue(QUEUE_NAMES.platformCalls).getJobState(jobId)) === "completed", "the cancel call");
  expect(h.woo.callsTo("PUT", new RegExp(`^/orders/${created.platformOrderRef}$`))).toHaveLength(1);
});

it("reconciles on schedule: platform drift nobody reported is repaired", async () => {
  const sale = await h.createSale("woocommerce", 2, 6);
  await h.waitFor(async () => JSON.stringify(h.platformStocks("woocommerce", sale)) === JSON.stringify(await h.holdfastStock(sale)), "the first write-back");
  // A change on the platform that no webhook reports: the write-back alone would never see it.
  await (await worker.platforms.forStore(sale.storeId)).writeStock([{ ref: sale.items[1]!.ref, available: 40 }], "outside");
  await h.waitFor(() => h.woo.stockOf(sale.items[1]!.ref) === 6, "the scheduled reconciliation to repair it", 10_000);
});

it("gives platform stock reports to the external-stock intake", async () => {
  const sale = await h.createSale("woocommerce", 1, 6);
  await h.waitFor(async () => h.woo.stockOf(sale.items[0]!.ref) === 6, "the first write-back");
  expect(await worker.stockIntake.receive({ storeId: sale.storeId, ref: sale.items[0]!.ref, available: 6 })).toEqual({ outcome: "echo" });
});

// The order queues on a 3-master Redis Cluster (the `cluster` project): every queue has its
// own hash tag, so BullMQ's multi-key scripts stay in one slot while the queues spread out.
import { Cluster } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";

import { LedgerPersister } from "../../../app/core/ledger/index.ts";
import { orderEventJobId, platformCallJobId } from "../../../app/core/orders/index.ts";
import { QUEUE_NAMES } from "../../../app/core/queues/index.ts";
import { PrismaLedgerStore } from "../../../app/db/PrismaLedgerStore.ts";
import { OrdersHarness } from "./harness.ts";

let h: OrdersHarness;
beforeAll(async () => {
  h = await OrdersHarness.create("cluster");
  h.startWorker();
});
afterAll(() => h?.close());

it("runs intake, the worker, platform calls, dead letters and the ledger on Redis Cluster", async () => {
  expect(h.redis).toBeInstanceOf(Cluster);
  // One slot per queue, not one for all of them.
  const slots = await Promise.all(Object.values(QUEUE_NAMES).map((name) => h.redis.call("CLUSTER", "KEYSLOT", `${h.queues.prefix(name)}:${name}:wait`)));
  expect(new Set(slots).size).toBeGreaterThan(1);

  const sale = await h.createSale("cluster", { policy: "cancel", withStore: true });
  const holdId = await h.reserve(sale.saleId);
  const committed = h.event(sale, { platformOrderRef: "Q-1", holdId });
  const bypass = h.event(sale, { platformOrderRef: "Q-2" });
  const unknown = h.event({ saleId: "no-such-sale", storeId: null }, { platformOrderRef: "Q-3" });
  for (const event of [committed, bypass, unknown]) expect((await h.intake.enqueue(event)).outcome).toBe("queued");
  expect((await h.intake.enqueue(committed)).outcome).toBe("duplicate");

  await h.waitForJob(orderEventJobId(committed.eventId));
  await h.waitForJob(orderEventJobId(bypass.eventId));
  await h.waitForJob(orderEventJobId(unknown.eventId), ["failed"]);
  expect(await h.repository.find(sale.saleId, "Q-1")).toMatchObject({ status: "committed" });
  expect(await h.repository.find(sale.saleId, "Q-2")).toMatchObject({ status: "cancel_requested", bypass: true });
  const call = platformCallJobId({ type: "cancelOrder", storeId: sale.storeId ?? "", platformOrderRef: "Q-2", reason: "", saleId: sale.saleId });
  expect(await h.queues.queue(QUEUE_NAMES.platformCalls).getJobState(call)).toBe("waiting");

  const [letter] = await h.deadLetters.list();
  expect(letter).toMatchObject({ jobId: orderEventJobId(unknown.eventId), jobState: "failed" });
  expect((await h.deadLetters.replay(letter?.id ?? "")).outcome).toBe("replayed");

  const store = new PrismaLedgerStore(h.db);
  const persister = new LedgerPersister(h.redis, store, { salesWithLedger: async () => [sale.saleId] });
  // allocate, reserve, commit, take
  expect(await persister.runOnce()).toBe(4);
  expect(await persister.runOnce()).toBe(0);
});

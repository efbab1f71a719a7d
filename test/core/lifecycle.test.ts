import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { systemClock } from "../../app/core/clock.ts";
import { HoldfastQueues, QUEUE_NAMES } from "../../app/core/queues/index.ts";
import { SaleService } from "../../app/core/sales/index.ts";
import { SaleLifecycle, SaleLifecycleWorker, transitionJobId } from "../../app/core/waiting-room/lifecycle.ts";
import { uniqueNamespace } from "./orders/harness.ts";
import { salesHarness, type SalesHarness } from "./sales/harness.ts";

let h: SalesHarness;
let queues: HoldfastQueues;
let lifecycle: SaleLifecycle;
let service: SaleService;
let worker: SaleLifecycleWorker;

beforeAll(async () => {
  h = await salesHarness(systemClock);
  queues = new HoldfastQueues(h.redis, { namespace: uniqueNamespace("lifecycle") });
  lifecycle = new SaleLifecycle(queues);
  service = new SaleService({ repository: h.repository, holds: h.holds, room: h.room, lifecycle });
  // No admission controller here: only the lifecycle queue can move these rooms.
  worker = new SaleLifecycleWorker({
    queues,
    room: h.room,
    expireHolds: (saleId) => h.holds.expire(saleId, 1_000),
    onScheduledTransition: (saleId, state) => service.onScheduledTransition(saleId, state),
  });
  worker.start();
});

afterAll(async () => {
  await worker?.close();
  await queues?.queue(QUEUE_NAMES.saleLifecycle).obliterate({ force: true });
  await queues?.close();
  await h?.close();
});

function newSale(schedule: { prequeueAt?: number; startsAt?: number; endsAt?: number }) {
  return service.create({
    name: `lifecycle ${randomBytes(3).toString("hex")}`,
    items: [{ title: "Shoe", allocation: 5 }],
    holdMinutes: 10,
    perCustomerLimit: 0,
    admission: { mode: "off" },
    schedule,
  });
}

/**
 * Polls the room until it is in `state`; returns when that was seen. The deadline only bounds
 * a broken run: on a loaded machine a delayed job may fire late, which is not a failure.
 */
async function whenState(saleId: string, state: string, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await h.room.view(saleId))?.state === state) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`sale ${saleId} did not become ${state}`);
}

describe("sale-lifecycle queue", () => {
  // How late it fires is BullMQ's timer on a busy machine, a figure for a benchmark, not a test.
  it("fires a scheduled start at its time (never earlier) and the stored sale follows", { timeout: 90_000 }, async () => {
    // Far enough ahead that the job is still delayed when checked below, however slow the create.
    const startsAt = Date.now() + 5_000;
    const { sale } = await newSale({ startsAt });
    expect(sale.state).toBe("scheduled");
    expect(await lifecycle.pending(sale.id)).toEqual({ prequeue: null, live: startsAt, ended: null });
    const seen = await whenState(sale.id, "live");
    console.log(`scheduled start applied ${seen - startsAt} ms after its time (10 ms polling)`);
    expect(seen).toBeGreaterThanOrEqual(startsAt);
    await expect.poll(async () => (await h.repository.get(sale.id))?.state, { timeout: 30_000 }).toBe("live");
  });

  it("runs pre-queue, start and end in order", { timeout: 120_000 }, async () => {
    const now = Date.now();
    const { sale } = await newSale({ prequeueAt: now + 400, startsAt: now + 900, endsAt: now + 1_400 });
    expect(await whenState(sale.id, "prequeue")).toBeGreaterThanOrEqual(now + 400);
    expect(await whenState(sale.id, "live")).toBeGreaterThanOrEqual(now + 900);
    expect(await whenState(sale.id, "ended")).toBeGreaterThanOrEqual(now + 1_400);
  });

  it("an edit moves the transition: nothing at the old time, the start at the new one", { timeout: 90_000 }, async () => {
    // The old time is never reached during the test; the delayed jobs show nothing waits for it.
    const first = Date.now() + 600_000;
    const { sale } = await newSale({ startsAt: first });
    const moved = Date.now() + 5_000;
    await service.update(sale.id, { schedule: { startsAt: moved } });
    // One delayed start, at the new time: nothing is left to fire at the old one.
    expect(await lifecycle.pending(sale.id)).toEqual({ prequeue: null, live: moved, ended: null });
    const delayed = (await queues.queue(QUEUE_NAMES.saleLifecycle).getDelayed()).filter((job) => (job.data as { saleId?: string }).saleId === sale.id);
    expect(delayed.map((job) => job.data)).toEqual([{ saleId: sale.id, target: "live", at: moved }]);
    const seen = await whenState(sale.id, "live");
    expect(seen).toBeGreaterThanOrEqual(moved);
  });

  it("ending a sale cancels its transitions; starting it by hand drops the start and keeps the end", async () => {
    const now = Date.now();
    const started = (await newSale({ startsAt: now + 60_000, endsAt: now + 120_000 })).sale;
    await service.start(started.id);
    expect(await lifecycle.pending(started.id)).toEqual({ prequeue: null, live: null, ended: now + 120_000 });

    const ended = (await newSale({ startsAt: now + 60_000, endsAt: now + 120_000 })).sale;
    await service.end(ended.id);
    expect(await lifecycle.pending(ended.id)).toEqual({ prequeue: null, live: null, ended: null });
    const queue = queues.queue(QUEUE_NAMES.saleLifecycle);
    for (const target of ["prequeue", "live", "ended"] as const) expect(await queue.getJob(transitionJobId(ended.id, target))).toBeUndefined();
  });

  it("the expiry sweep (a job scheduler) ends lapsed holds while nobody reserves", async () => {
    const { sale } = await newSale({});
    await service.start(sale.id);
    const itemId = sale.items[0]?.id as string;
    const reserved = await h.holds.reserve(sale.id, { lines: [{ itemId, quantity: 2 }], customerId: "c1", requestId: "sweep-req-1", ttlMs: 1_000 });
    expect(reserved.outcome).toBe("reserved");
    await lifecycle.installSweep(200);
    await lifecycle.installSweep(200); // upserting twice keeps one scheduler
    expect(await queues.queue(QUEUE_NAMES.saleLifecycle).getJobSchedulersCount()).toBe(1);
    await expect
      .poll(async () => (await h.holds.snapshot(sale.id))?.items[itemId], { timeout: 5_000, interval: 50 })
      .toEqual({ allocated: 5, available: 5, held: 0, sold: 0 });
  });
});

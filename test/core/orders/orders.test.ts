import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { orderEventJobId, platformCallJobId, type OrderRecord, type OrderRepository } from "../../../app/core/orders/index.ts";
import { QUEUE_NAMES } from "../../../app/core/queues/index.ts";
import { expectInvariant } from "../inventory/invariant.ts";
import { OrdersHarness, recordingLogger } from "./harness.ts";

let h: OrdersHarness;
beforeAll(async () => {
  h = await OrdersHarness.create("orders");
  h.startWorker({ lockDurationMs: 5_000 });
});
afterAll(() => h?.close());

async function processed(event: Parameters<OrdersHarness["intake"]["enqueue"]>[0] & { eventId: string }): Promise<void> {
  const result = await h.intake.enqueue(event);
  expect(result.outcome).toBe("queued");
  await h.waitForJob(orderEventJobId(event.eventId));
}

async function counters(saleId: string) {
  const snapshot = await h.holds.snapshot(saleId);
  expectInvariant(snapshot);
  return snapshot?.items.sku;
}

it("commits the hold of a created order and records it", async () => {
  const sale = await h.createSale("commit");
  const holdId = await h.reserve(sale.saleId, [{ itemId: "sku", quantity: 2 }], "alice");
  await processed(h.event(sale, { platformOrderRef: "1001", holdId, lines: [{ itemId: "sku", quantity: 2 }], customerRef: "alice" }));

  expect(await h.repository.find(sale.saleId, "1001")).toEqual<OrderRecord>({
    saleId: sale.saleId,
    platformOrderRef: "1001",
    status: "committed",
    holdId,
    customerRef: "alice",
    lines: [{ itemId: "sku", quantity: 2 }],
    bypass: false,
  });
  expect(await counters(sale.saleId)).toEqual({ allocated: 10, available: 8, held: 0, sold: 2 });
  const job = await h.orderQueue.getJob(orderEventJobId(`evt-${h.namespace}-1`));
  expect(job?.returnvalue).toEqual({ action: "committed", status: "committed" });
});

describe("an order that bypassed the waiting room is taken from available, then the sale's policy applies", () => {
  it.each([
    ["allow", "taken", false],
    ["flag", "flagged", false],
    ["cancel", "cancel_requested", true],
  ] as const)("%s -> %s", async (policy, status, cancels) => {
    const sale = await h.createSale(`bypass-${policy}`, { policy, withStore: true });
    await processed(h.event(sale, { platformOrderRef: `B-${policy}` }));

    expect(await h.repository.find(sale.saleId, `B-${policy}`)).toMatchObject({ status, bypass: true, holdId: null });
    expect(await counters(sale.saleId)).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
    const call = await h.queues
      .queue(QUEUE_NAMES.platformCalls)
      .getJob(platformCallJobId({ type: "cancelOrder", storeId: sale.storeId ?? "", platformOrderRef: `B-${policy}`, reason: "", saleId: sale.saleId }));
    if (cancels) {
      expect(call?.name).toBe("cancelOrder");
      expect(call?.data).toEqual({
        type: "cancelOrder",
        storeId: sale.storeId,
        platformOrderRef: `B-${policy}`,
        reason: "bypassed the waiting room",
        saleId: sale.saleId,
      });
    } else {
      expect(call).toBeUndefined();
    }
  });

  it("an order whose hold expired and was reclaimed is taken too, keeping the hold id for the record", async () => {
    const sale = await h.createSale("expired-hold", { policy: "allow" });
    const holdId = await h.reserve(sale.saleId);
    await h.holds.release(sale.saleId, holdId);
    await processed(h.event(sale, { platformOrderRef: "late-1", holdId }));
    expect(await h.repository.find(sale.saleId, "late-1")).toMatchObject({ status: "taken", bypass: true, holdId });
    expect(await counters(sale.saleId)).toMatchObject({ available: 9, held: 0, sold: 1 });
  });
});

it("records an order the platform sold beyond our stock as oversold_on_platform, and says so loudly", async () => {
  const logger = recordingLogger();
  const own = await OrdersHarness.create("oversold");
  try {
    own.startWorker({ logger });
    const sale = await own.createSale("oversold", { items: [{ itemId: "sku", allocation: 1 }] });
    await own.holds.reserve(sale.saleId, { lines: [{ itemId: "sku", quantity: 1 }], customerId: "holder", ttlMs: 600_000, requestId: "r1" });
    const event = own.event(sale, { platformOrderRef: "over-1" });
    await own.intake.enqueue(event);
    await own.waitForJob(orderEventJobId(event.eventId));

    expect(await own.repository.find(sale.saleId, "over-1")).toMatchObject({ status: "oversold_on_platform", bypass: true });
    // The shopper with the hold keeps it.
    expect((await own.holds.snapshot(sale.saleId))?.items.sku).toEqual({ allocated: 1, available: 0, held: 1, sold: 0 });
    expect(logger.lines.find((line) => line.level === "error")?.message).toMatch(/OVERSOLD ON PLATFORM/);
  } finally {
    await own.close();
  }
});

describe("duplicates have one effect", () => {
  it("the same event delivered twice is queued once", async () => {
    const sale = await h.createSale("dup-event");
    const holdId = await h.reserve(sale.saleId);
    const event = h.event(sale, { platformOrderRef: "D-1", holdId });
    const [first, second] = await Promise.all([h.intake.enqueue(event), h.intake.enqueue(event)]);
    expect([first.outcome, second.outcome].sort()).toEqual(["duplicate", "queued"]);
    await h.waitForJob(orderEventJobId(event.eventId));
    expect(await h.intake.enqueue(event)).toMatchObject({ outcome: "duplicate" });
    expect(await h.orderQueue.getJobCountByTypes("completed", "waiting", "active", "delayed")).toBeGreaterThan(0);
    expect(await counters(sale.saleId)).toMatchObject({ held: 0, sold: 1 });
  });

  it("the same order under different event ids (a redelivered webhook, the connector and a webhook) commits once", async () => {
    const sale = await h.createSale("dup-order");
    const holdId = await h.reserve(sale.saleId);
    const events = [1, 2, 3].map(() => h.event(sale, { platformOrderRef: "D-2", holdId }));
    // A fourth, without the hold id, as a webhook that lost the cart attribute would send it.
    events.push(h.event(sale, { platformOrderRef: "D-2" }));
    await Promise.all(events.map((event) => h.intake.enqueue(event)));
    const outcomes = await Promise.all(
      events.map(async (event) => {
        await h.waitForJob(orderEventJobId(event.eventId));
        return (await h.orderQueue.getJob(orderEventJobId(event.eventId)))?.returnvalue as { action: string };
      }),
    );
    expect(outcomes.map((outcome) => outcome.action).sort()).toEqual(["committed", "duplicate", "duplicate", "duplicate"]);
    expect(await counters(sale.saleId)).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
    expect(await h.db.order.count({ where: { saleId: sale.saleId } })).toBe(1);
    expect(await h.repository.find(sale.saleId, "D-2")).toMatchObject({ status: "committed", holdId, bypass: false });
  });
});

describe("cancellations", () => {
  it("a cancellation that arrives before its order releases the hold, and the late order sells nothing", async () => {
    const sale = await h.createSale("cancel-first");
    const holdId = await h.reserve(sale.saleId);
    await processed(h.event(sale, { platformOrderRef: "C-1", kind: "cancelled", lines: [] }));
    expect(await h.repository.find(sale.saleId, "C-1")).toMatchObject({ status: "cancelled" });
    // The hold was not named by the cancellation: it is still there until the order says which.
    expect(await counters(sale.saleId)).toMatchObject({ held: 1, sold: 0 });

    const created = h.event(sale, { platformOrderRef: "C-1", holdId });
    await processed(created);
    expect((await h.orderQueue.getJob(orderEventJobId(created.eventId)))?.returnvalue).toEqual({ action: "ignored_cancelled", status: "cancelled" });
    expect(await counters(sale.saleId)).toEqual({ allocated: 10, available: 10, held: 0, sold: 0 });
    expect(await h.repository.find(sale.saleId, "C-1")).toMatchObject({ status: "cancelled", holdId, lines: [{ itemId: "sku", quantity: 1 }] });

    // And a bypass order cancelled first never takes stock either.
    await processed(h.event(sale, { platformOrderRef: "C-2", kind: "failed" }));
    await processed(h.event(sale, { platformOrderRef: "C-2" }));
    expect(await h.repository.find(sale.saleId, "C-2")).toMatchObject({ status: "failed" });
    expect(await counters(sale.saleId)).toMatchObject({ available: 10, sold: 0 });
  });

  it("a failed checkout releases its hold", async () => {
    const sale = await h.createSale("failed");
    const holdId = await h.reserve(sale.saleId);
    await processed(h.event(sale, { platformOrderRef: "F-1", kind: "failed", holdId }));
    expect(await h.repository.find(sale.saleId, "F-1")).toMatchObject({ status: "failed", holdId });
    expect(await counters(sale.saleId)).toEqual({ allocated: 10, available: 10, held: 0, sold: 0 });
  });

  it("a cancellation after the sale is recorded, and the units stay sold", async () => {
    const sale = await h.createSale("cancel-after");
    const holdId = await h.reserve(sale.saleId);
    await processed(h.event(sale, { platformOrderRef: "A-1", holdId }));
    await processed(h.event(sale, { platformOrderRef: "A-1", kind: "cancelled", holdId }));
    await processed(h.event(sale, { platformOrderRef: "A-1", kind: "cancelled" }));
    expect(await h.repository.find(sale.saleId, "A-1")).toMatchObject({ status: "cancelled_after_sale", holdId, bypass: false });
    expect(await counters(sale.saleId)).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
  });

  it("created and cancelled of the same orders racing each other converge, whatever the order", async () => {
    const sale = await h.createSale("race", { items: [{ itemId: "sku", allocation: 50 }] });
    const pairs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const holdId = await h.reserve(sale.saleId);
        return [h.event(sale, { platformOrderRef: `R-${i}`, holdId }), h.event(sale, { platformOrderRef: `R-${i}`, kind: "cancelled", holdId })];
      }),
    );
    const events = pairs.flat().sort(() => Math.random() - 0.5);
    await Promise.all(events.map((event) => h.intake.enqueue(event)));
    for (const event of events) await h.waitForJob(orderEventJobId(event.eventId));

    const rows = await h.db.order.findMany({ where: { saleId: sale.saleId } });
    expect(rows).toHaveLength(20);
    const sold = rows.filter((row) => row.status === "cancelled_after_sale").length;
    expect(rows.every((row) => row.status === "cancelled_after_sale" || row.status === "cancelled")).toBe(true);
    // Cancelled first: nothing sold. Created first: sold, then recorded as cancelled.
    expect(await counters(sale.saleId)).toEqual({ allocated: 50, available: 50 - sold, held: 0, sold });
  });
});

describe("failures", () => {
  it("retries with backoff, dead-letters after the last attempt, and replays from the dead-letter queue", async () => {
    const own = await OrdersHarness.create("dlq");
    try {
      let broken = true;
      let calls = 0;
      const flaky: OrderRepository = {
        findSale: (saleId) => own.repository.findSale(saleId),
        find: (saleId, ref) => own.repository.find(saleId, ref),
        save: async (order) => {
          calls += 1;
          if (broken) throw new Error("database is away");
          await own.repository.save(order);
        },
      };
      own.startWorker({ orders: flaky });
      const sale = await own.createSale("dlq");
      const holdId = await own.reserve(sale.saleId);
      const event = own.event(sale, { platformOrderRef: "X-1", holdId });
      const jobId = orderEventJobId(event.eventId);
      await own.intake.enqueue(event);
      await own.waitForJob(jobId, ["failed"]);
      expect(calls).toBe(3);

      const letters = await own.deadLetters.list();
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ queue: "order-events", jobId, name: "created", error: "database is away", attemptsMade: 3, jobState: "failed" });
      expect(letters[0]?.data).toMatchObject({ eventId: event.eventId, platformOrderRef: "X-1" });
      expect(letters[0]?.failedAt).toBeGreaterThan(Date.now() - 60_000);
      // The stock effect was made on the first attempt; only the record was missing.
      expect((await own.holds.snapshot(sale.saleId))?.items.sku).toMatchObject({ held: 0, sold: 1 });

      broken = false;
      expect(await own.deadLetters.replay(letters[0]?.id ?? "")).toEqual({ id: letters[0]?.id, outcome: "replayed", queue: "order-events", jobId });
      await own.waitForJob(jobId, ["completed"]);
      expect(await own.repository.find(sale.saleId, "X-1")).toMatchObject({ status: "committed", holdId });
      expect(await own.deadLetters.list()).toEqual([]);
      expect((await own.holds.snapshot(sale.saleId))?.items.sku).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
      expect(await own.deadLetters.replay("dl-order-events.nope")).toEqual({ id: "dl-order-events.nope", outcome: "not_found" });
    } finally {
      await own.close();
    }
  });

  it("an event for an unknown sale goes straight to the dead-letter queue, without retries", async () => {
    const own = await OrdersHarness.create("unknown");
    try {
      own.startWorker();
      const event = own.event({ saleId: "no-such-sale", storeId: null }, { platformOrderRef: "U-1" });
      await own.intake.enqueue(event);
      const jobId = orderEventJobId(event.eventId);
      await own.waitForJob(jobId, ["failed"]);
      expect((await own.orderQueue.getJob(jobId))?.attemptsMade).toBe(1);
      const [letter] = await own.deadLetters.list();
      expect(letter).toMatchObject({ jobId, attemptsMade: 1 });
      expect(letter?.error).toBe("unknown_sale: sale no-such-sale does not exist");
    } finally {
      await own.close();
    }
  });

  it("a malformed event is refused at intake into the dead-letter queue, and replay --all sends it back", async () => {
    const own = await OrdersHarness.create("malformed");
    try {
      const result = await own.intake.enqueue({ eventId: "bad-1", saleId: "s1", platformOrderRef: "M-1", kind: "shipped", lines: [], occurredAt: 1 });
      expect(result).toMatchObject({ outcome: "rejected", code: "invalid_event" });
      if (result.outcome !== "rejected") throw new Error("unreachable");
      expect(result.reason).toMatch(/kind must be one of created, cancelled, failed/);
      const [letter] = await own.deadLetters.list();
      expect(letter).toMatchObject({ id: result.deadLetterId, queue: "order-events", name: "invalid", jobState: "missing" });
      expect(letter?.error).toMatch(/^invalid_event: /);

      own.startWorker();
      const [replayed] = await own.deadLetters.replayAll();
      expect(replayed?.outcome).toBe("replayed");
      // Still malformed: back in the dead-letter queue, at once.
      await own.waitForJob(replayed?.jobId ?? "", ["failed"]);
      await own.waitFor(async () => (await own.deadLetters.list()).length === 1, "the dead letter to come back");
    } finally {
      await own.close();
    }
  });
});

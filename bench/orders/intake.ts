/**
 * Order-event intake: N platform order events through the real OrderIntake (BullMQ, idempotent
 * by event id) and OrderWorker (OrderProcessor: commit the hold, or take for a bypass order,
 * then the SQL record), half with a hold (and its signed hold token) and half bypassing the
 * room. Latency per event is BullMQ's own timestamps, added -> finished (committed in Redis and
 * SQL).
 *
 * Two shapes: a burst (every event enqueued first, as after a drop's first minute, then the
 * worker drains the backlog: the throughput figure is events over the time from the worker's
 * start to the last completion; latency is mostly time in the backlog) and a paced stream at
 * a fixed rate below that throughput (the latency an order sees when the worker keeps up).
 */
import { randomBytes } from "node:crypto";

import { HoldEngine } from "../../app/core/inventory/index.ts";
import { signToken, type HoldClaims, type Keyring } from "../../app/core/tokens/index.ts";
import { silentLogger } from "../../app/core/logger.ts";
import { holdEngineInventory, OrderIntake, OrderLocks, OrderProcessor, OrderWorker, PlatformCallQueue, type OrderEvent } from "../../app/core/orders/index.ts";
import { DeadLetterQueue, HoldfastQueues, QUEUE_NAMES } from "../../app/core/queues/index.ts";
import type { RedisClient } from "../../app/core/redis.ts";
import { BatchedOrderRepository } from "../../app/db/BatchedOrderRepository.ts";
import { PrismaOrderRepository } from "../../app/db/PrismaOrderRepository.ts";
import type { DatabaseKind, Db } from "../../app/db/client.server.ts";
import { LatencyHistogram } from "../lib/histogram.ts";

export interface IntakeOptions {
  redis: RedisClient;
  db: Db;
  /** Which SQL the worker records orders in (reported with the figures). */
  database: DatabaseKind;
  runId: string;
  events: number;
  concurrency: number;
  /** Events per second, paced; unset: all at once (a burst). */
  ratePerSec?: number;
  log: (message: string) => void;
  /**
   * How the worker writes orders: "batched" (BatchedOrderRepository, what the app runs: the
   * SQL of concurrent jobs shared) or "single" (PrismaOrderRepository: statements per job).
   */
  repository: IntakeRepository;
}

export type IntakeRepository = "batched" | "single";

export interface IntakeResult {
  database: DatabaseKind;
  repository: IntakeRepository;
  shape: "burst" | "paced";
  /** Offered rate when paced (events/s). */
  ratePerSec: number | null;
  events: number;
  withHold: number;
  bypass: number;
  concurrency: number;
  enqueueSeconds: number;
  totalSeconds: number;
  jobsPerSec: number;
  latencyMs: ReturnType<LatencyHistogram["summaryMs"]>;
  failed: number;
  soldInRedis: number;
  /** Orders whose hold became the sale (must equal withHold: their tokens verified). */
  committedFromHolds: number;
  /** Units still held once every event is processed (must be 0). */
  stillHeld: number;
  ordersInSql: number;
}

/** The bench's signing keys: the storefront signs hold tokens with a store's keyring like this. */
const BENCH_KEYRING: Keyring = { current: { kid: "bench", secret: randomBytes(32) }, previous: [] };

function holdToken(saleId: string, holdId: string): string {
  const now = Math.floor(Date.now() / 1_000);
  const claims: HoldClaims = { typ: "hold", s: saleId, h: holdId, sh: "bench", iat: now, exp: now + 30 * 60 };
  return signToken({ ...claims }, BENCH_KEYRING);
}

export async function measureIntake(options: IntakeOptions): Promise<IntakeResult> {
  const { redis, db, database, runId, events, log } = options;
  const shape = options.ratePerSec === undefined ? "burst" : "paced";
  const label = `${database}-${shape}-${options.repository}-${runId}`;
  const saleId = `bench-orders-${label}`;
  const holds = new HoldEngine(redis);
  await db.sale.create({ data: { id: saleId, name: "bench orders", state: "live", holdMinutes: 30, perCustomerLimit: 0, bypassPolicy: "allow" } });
  await holds.defineSale(saleId, { perCustomerLimit: 0, items: [{ itemId: "sku", allocation: events * 2 }] });
  const withHold = Math.floor(events / 2);
  const holdIds: string[] = [];
  for (let start = 0; start < withHold; start += 200) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(200, withHold - start) }, (_, index) =>
        holds.reserve(saleId, { lines: [{ itemId: "sku", quantity: 1 }], customerId: `c${start + index}`, ttlMs: 30 * 60_000, requestId: `r${start + index}` }),
      ),
    );
    for (const result of batch) if (result.outcome === "reserved") holdIds.push(result.holdId);
  }
  log(
    `intake ${database} ${shape} (${options.repository}): ${holdIds.length} holds placed; ${events} events to go (${events - holdIds.length} bypassing the room)`,
  );

  const queues = new HoldfastQueues(redis, { namespace: `bo-${label}` });
  const deadLetters = new DeadLetterQueue(queues);
  const intake = new OrderIntake(queues, deadLetters);
  const worker = new OrderWorker({
    queues,
    deadLetters,
    concurrency: options.concurrency,
    processor: new OrderProcessor({
      inventory: holdEngineInventory(holds, redis),
      orders: options.repository === "batched" ? new BatchedOrderRepository(db) : new PrismaOrderRepository(db),
      platformCalls: new PlatformCallQueue(queues),
      locks: new OrderLocks(redis),
      // Orders name their holds with the hold tokens the storefront signed, as on the platforms.
      keyrings: { forStore: () => BENCH_KEYRING },
      logger: silentLogger,
    }),
  });
  const startWorker = async (): Promise<number> => {
    worker.start();
    await worker.worker.waitUntilReady();
    return Date.now();
  };
  const queue = queues.queue(QUEUE_NAMES.orderEvents);
  try {
    const all: OrderEvent[] = Array.from({ length: events }, (_, index) => ({
      eventId: `e-${runId}-${index}`,
      storeId: null,
      saleId,
      platformOrderRef: `#${index}`,
      kind: "created",
      lines: [{ itemId: "sku", quantity: 1 }],
      customerRef: `c${index}`,
      occurredAt: Date.now(),
      ...(index < holdIds.length ? { holdId: holdIds[index], holdTokens: [holdToken(saleId, holdIds[index] ?? "")] } : {}),
    }));
    // The burst is a backlog the worker drains (webhooks are received by the web processes,
    // so their enqueueing does not compete with the worker): its clock starts with the worker.
    // The paced stream arrives while the worker runs.
    let started = options.ratePerSec === undefined ? Date.now() : await startWorker();
    const enqueueStarted = Date.now();
    if (options.ratePerSec === undefined) {
      // Webhook-like arrival: many deliveries in flight at once.
      for (let start = 0; start < all.length; start += 100) await Promise.all(all.slice(start, start + 100).map((event) => intake.enqueue(event)));
      started = await startWorker();
    } else {
      // Paced: every 20 ms the events due by then, each delivery on its own.
      const rate = options.ratePerSec;
      let sent = 0;
      const pending: Promise<unknown>[] = [];
      while (sent < all.length) {
        const due = Math.min(all.length, Math.floor(((Date.now() - enqueueStarted) / 1_000) * rate) + 1);
        for (; sent < due; sent += 1) pending.push(intake.enqueue(all[sent]!));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await Promise.all(pending);
    }
    const enqueued = Date.now();
    log(
      `intake ${database} ${shape} (${options.repository}): ${events} events enqueued in ${((enqueued - enqueueStarted) / 1_000).toFixed(2)} s; waiting for the worker`,
    );
    for (;;) {
      const counts = await queue.getJobCounts("completed", "failed");
      if ((counts.completed ?? 0) + (counts.failed ?? 0) >= events) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const jobs = await queue.getJobs(["completed"], 0, events, true);
    const histogram = new LatencyHistogram();
    let lastFinished = started;
    for (const job of jobs) {
      if (job.finishedOn === undefined) continue;
      histogram.recordMicros((job.finishedOn - job.timestamp) * 1_000);
      lastFinished = Math.max(lastFinished, job.finishedOn);
    }
    const counts = await queue.getJobCounts("failed");
    const snapshot = await holds.snapshot(saleId);
    const committed = await db.order.count({ where: { saleId, status: "committed" } });
    return {
      database,
      repository: options.repository,
      shape,
      ratePerSec: options.ratePerSec ?? null,
      events,
      withHold: holdIds.length,
      bypass: events - holdIds.length,
      concurrency: options.concurrency,
      enqueueSeconds: (enqueued - enqueueStarted) / 1_000,
      totalSeconds: (lastFinished - started) / 1_000,
      jobsPerSec: events / ((lastFinished - started) / 1_000),
      latencyMs: histogram.summaryMs(),
      failed: counts.failed ?? 0,
      soldInRedis: snapshot?.items.sku?.sold ?? 0,
      committedFromHolds: committed,
      stillHeld: snapshot?.items.sku?.held ?? 0,
      ordersInSql: await db.order.count({ where: { saleId } }),
    };
  } finally {
    await worker.close();
    await queues.close();
  }
}

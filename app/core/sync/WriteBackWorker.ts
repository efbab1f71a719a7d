import { Worker, type Job } from "bullmq";

import { silentLogger, type Logger } from "../logger.ts";
import { HoldfastQueues, QUEUE_NAMES } from "../queues/queues.ts";
import { deferJob, deferralMs } from "../queues/deferral.ts";
import type { FlushResult, StockWriteBack } from "./StockWriteBack.ts";
import type { SyncCatalog } from "./SyncCatalog.ts";
import { QueueRunner } from "../queues/QueueRunner.ts";

/** The job scheduler that looks for changed sales once per flush interval. */
export const WRITE_BACK_SCHEDULER = "write-back-tick";
export const DEFAULT_FLUSH_INTERVAL_MS = 1_000;

const JOB = { tick: "tick", flush: "flush" } as const;

export interface WriteBackWorkerOptions {
  queues: HoldfastQueues;
  writeBack: StockWriteBack;
  catalog: SyncCatalog;
  logger?: Logger;
  /** How often changed sales are flushed (ms): at most one platform call per item batch per interval. Default 1 s. */
  flushIntervalMs?: number;
  /** Flushes in flight per process (different sales); default 8. */
  concurrency?: number;
  /** Lock of a job without renewal (kill -9 recovery); default 30 s. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface TickResult {
  sales: number;
  queued: number;
}

/**
 * The write-back on the `write-back` queue:
 * - a BullMQ job scheduler (one for all worker processes) adds a `tick` every flush interval;
 *   a tick queues a `flush` for each syncing sale whose ledger moved since its last complete
 *   flush;
 * - a sale has at most one flush job at a time (BullMQ deduplication by sale until the job
 *   finishes), so changes made while a flush waits or runs are picked up by the next one,
 *   which reads the count then: coalescing by construction;
 * - a flush refused by an open breaker or throttling is put back as delayed until the breaker
 *   may close or the budget refills, without spending an attempt; other failures are retried
 *   with jittered backoff, and a flush that fails for good loses nothing either (the sale
 *   stays due and the next tick queues it again).
 */
export class WriteBackWorker {
  readonly worker: Worker;
  readonly flushIntervalMs: number;
  private readonly runner: QueueRunner;
  private readonly logger: Logger;

  constructor(private readonly options: WriteBackWorkerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    if (!Number.isFinite(this.flushIntervalMs) || this.flushIntervalMs < 50) throw new RangeError("flushIntervalMs must be at least 50");
    this.runner = new QueueRunner(
      {
        queues: options.queues,
        queue: QUEUE_NAMES.writeBack,
        label: "write-back",
        logger: this.logger,
        concurrency: options.concurrency ?? 8,
        lockDurationMs: options.lockDurationMs ?? 30_000,
        ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
        maxStalledCount: 5,
      },
      (job, token) => this.run(job, token),
    );
    this.worker = this.runner.worker;
    this.worker.on("failed", (job, error) => {
      if (job?.name === JOB.flush && job.finishedOn !== undefined) {
        this.logger.error("write-back flush failed for good; the sale stays due and is flushed again", {
          saleId: (job.data as { saleId?: string }).saleId,
          error: error.message,
        });
      }
    });
  }

  private get queue() {
    return this.options.queues.queue(QUEUE_NAMES.writeBack);
  }

  /** Installs (or updates) the tick scheduler and starts consuming. */
  async start(): Promise<void> {
    await this.queue.upsertJobScheduler(
      WRITE_BACK_SCHEDULER,
      { every: this.flushIntervalMs },
      { name: JOB.tick, opts: { removeOnComplete: true, removeOnFail: { count: 100 }, attempts: 1 } },
    );
    this.runner.start();
  }

  /** Finishes the jobs in flight (or lets them go back to the queue when `force`), then disconnects. The scheduler stays: it is shared. */
  async close(force = false): Promise<void> {
    await this.runner.close(force);
  }

  /** Queues a flush of every syncing sale that changed since its last complete flush. */
  async tick(): Promise<TickResult> {
    const sales = await this.options.catalog.salesToSync();
    let queued = 0;
    for (const saleId of sales) {
      try {
        if (await this.options.writeBack.isDue(saleId)) {
          await this.requestFlush(saleId);
          queued += 1;
        }
      } catch (error) {
        this.logger.error("write-back tick: cannot look at a sale", { saleId, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return { sales: sales.length, queued };
  }

  /** Queues a flush of the sale unless one is already waiting, delayed or running. */
  async requestFlush(saleId: string): Promise<void> {
    await this.queue.add(
      JOB.flush,
      { saleId },
      { deduplication: { id: `flush.${saleId}` }, removeOnComplete: { count: 1_000 }, removeOnFail: { count: 1_000 } },
    );
  }

  private async run(job: Job, token: string | undefined): Promise<FlushResult | TickResult> {
    if (job.name === JOB.tick) return this.tick();
    if (job.name !== JOB.flush) throw new Error(`unknown write-back job ${job.name}`);
    const saleId = (job.data as { saleId?: unknown }).saleId;
    if (typeof saleId !== "string") throw new Error("a flush job needs a saleId");
    try {
      return await this.options.writeBack.flushSale(saleId);
    } catch (error) {
      const wait = deferralMs(error);
      if (wait === null) throw error;
      this.logger.info("write-back flush deferred", { saleId, waitMs: wait, reason: error instanceof Error ? error.message : String(error) });
      return deferJob(job, token, wait);
    }
  }
}

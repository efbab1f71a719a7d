import { Worker, type Job, type WorkerOptions } from "bullmq";

import type { Logger } from "../logger.ts";
import type { RedisClient } from "../redis.ts";
import { queueRetryBackoff, type QueueRetryBackoffOptions } from "./backoff.ts";
import { workerConnection, type HoldfastQueues, type QueueName } from "./queues.ts";

export interface QueueRunnerOptions {
  queues: HoldfastQueues;
  queue: QueueName;
  /** Names the worker in log lines, e.g. "order". */
  label: string;
  logger: Logger;
  concurrency: number;
  /** BullMQ's defaults when absent (lock 30 s, stall check as often, one stall allowed). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  backoff?: QueueRetryBackoffOptions;
}

/**
 * How every Holdfast queue is consumed: a BullMQ worker on a connection of its own (blocking
 * commands need `maxRetriesPerRequest: null`), the queue's hash-tagged prefix, the jittered
 * backoff, nothing taken until start(), and errors logged under the worker's label. The
 * workers (orders, platform calls, checkout, write-back, reconciliation, sale lifecycle) keep
 * only what is theirs: the job handler and what happens on failure.
 */
export class QueueRunner<Data = unknown, Result = unknown> {
  readonly worker: Worker<Data, Result>;
  private readonly connection: RedisClient;
  private readonly logger: Logger;
  private readonly label: string;

  constructor(options: QueueRunnerOptions, handle: (job: Job<Data, Result>, token: string | undefined) => Promise<Result>) {
    this.logger = options.logger;
    this.label = options.label;
    this.connection = workerConnection(options.queues.redis);
    this.connection.on("error", (error: Error) => this.logger.error(`${this.label} worker redis error`, { error: error.message }));
    const settings: WorkerOptions = {
      connection: this.connection,
      prefix: options.queues.prefix(options.queue),
      concurrency: options.concurrency,
      settings: { backoffStrategy: queueRetryBackoff(options.backoff) },
      autorun: false,
    };
    // Only what is set: an explicit undefined would replace BullMQ's default.
    if (options.lockDurationMs !== undefined) settings.lockDuration = options.lockDurationMs;
    const stalledInterval = options.stalledIntervalMs ?? options.lockDurationMs;
    if (stalledInterval !== undefined) settings.stalledInterval = stalledInterval;
    if (options.maxStalledCount !== undefined) settings.maxStalledCount = options.maxStalledCount;
    this.worker = new Worker<Data, Result>(options.queue, handle, settings);
    this.worker.on("error", (error) => this.logger.error(`${this.label} worker error`, { error: error.message }));
  }

  start(): void {
    void this.worker.run().catch((error: unknown) => this.logger.error(`${this.label} worker stopped`, { error: String(error) }));
  }

  /** Finishes the jobs in flight (or lets them go back to the queue when `force`), then disconnects. */
  async close(force = false): Promise<void> {
    await this.worker.close(force);
    await this.connection.quit().catch(() => undefined);
  }
}

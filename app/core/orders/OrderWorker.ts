import { UnrecoverableError, Worker, type Job } from "bullmq";

import { silentLogger, type Logger } from "../logger.ts";
import type { RedisClient } from "../redis.ts";
import { jitteredBackoff, type JitteredBackoffOptions } from "./backoff.ts";
import { DeadLetterQueue } from "./DeadLetterQueue.ts";
import { PermanentOrderError } from "./errors.ts";
import { parseOrderEvent } from "./OrderEvent.ts";
import type { OrderOutcome, OrderProcessor } from "./OrderProcessor.ts";
import { HoldfastQueues, QUEUE_NAMES, workerConnection } from "./queues.ts";

export interface OrderWorkerOptions {
  queues: HoldfastQueues;
  processor: OrderProcessor;
  deadLetters: DeadLetterQueue;
  logger?: Logger;
  /** Jobs in flight per process; default 50 (each is a few Redis and SQL round trips). */
  concurrency?: number;
  /** How long a job stays locked to this worker without renewal (kill -9 recovery time); default 30 s. */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died; default 30 s. */
  stalledIntervalMs?: number;
  /** Stalls (worker deaths) a job survives before it fails; default 2. */
  maxStalledCount?: number;
  backoff?: JitteredBackoffOptions;
}

/**
 * The BullMQ worker of the order-events queue. BullMQ gives at-least-once processing (a job
 * whose worker dies is picked up again once its lock lapses); OrderProcessor makes that
 * exactly-once in effect. Failures are retried with jittered exponential backoff; after the
 * last attempt, or at once for a PermanentOrderError (malformed event, unknown sale), the
 * job goes to the dead-letter queue with its error.
 */
export class OrderWorker {
  readonly worker: Worker;
  private readonly connection: RedisClient;
  private readonly deadLetters: DeadLetterQueue;
  private readonly logger: Logger;
  private readonly processor: OrderProcessor;

  constructor(options: OrderWorkerOptions) {
    this.deadLetters = options.deadLetters;
    this.logger = options.logger ?? silentLogger;
    this.processor = options.processor;
    this.connection = workerConnection(options.queues.redis);
    this.connection.on("error", (error: Error) => this.logger.error("order worker redis error", { error: error.message }));
    const lockDuration = options.lockDurationMs ?? 30_000;
    this.worker = new Worker(QUEUE_NAMES.orderEvents, (job) => this.run(job), {
      connection: this.connection,
      prefix: options.queues.prefix(QUEUE_NAMES.orderEvents),
      concurrency: options.concurrency ?? 50,
      lockDuration,
      stalledInterval: options.stalledIntervalMs ?? lockDuration,
      maxStalledCount: options.maxStalledCount ?? 2,
      settings: { backoffStrategy: jitteredBackoff(options.backoff) },
      autorun: false,
    });
    this.worker.on("error", (error) => this.logger.error("order worker error", { error: error.message }));
    // The safety net: failures the processor never saw (a job that stalled too often) also
    // reach the dead-letter queue. Adding twice is harmless (the dead letter's id is stable).
    this.worker.on("failed", (job, error) => {
      if (job === undefined || job.finishedOn === undefined) return;
      void this.deadLetter(job, error.message);
    });
  }

  start(): void {
    void this.worker.run().catch((error: unknown) => this.logger.error("order worker stopped", { error: String(error) }));
  }

  /** Finishes the jobs in flight (or lets them go back to the queue when `force`), then disconnects. */
  async close(force = false): Promise<void> {
    await this.worker.close(force);
    await this.connection.quit().catch(() => undefined);
  }

  private async run(job: Job): Promise<OrderOutcome> {
    try {
      return await this.processor.process(parseOrderEvent(job.data));
    } catch (error) {
      const permanent = error instanceof PermanentOrderError;
      const message = error instanceof Error ? error.message : String(error);
      const attempts = Math.max(1, job.opts.attempts ?? 1);
      const last = permanent || job.attemptsMade + 1 >= attempts;
      this.logger.warn("order event failed", { jobId: job.id, attempt: job.attemptsMade + 1, attempts, last, error: message });
      if (last) await this.deadLetter(job, permanent ? `${error.code}: ${message}` : message);
      if (permanent) throw new UnrecoverableError(`${error.code}: ${message}`);
      throw error;
    }
  }

  private async deadLetter(job: Job, error: string): Promise<void> {
    try {
      await this.deadLetters.add({
        queue: QUEUE_NAMES.orderEvents,
        jobId: job.id ?? null,
        name: job.name,
        data: job.data,
        error,
        failedAt: Date.now(),
        attemptsMade: job.attemptsMade + (job.finishedOn === undefined ? 1 : 0),
      });
    } catch (failure) {
      this.logger.error("cannot add to the dead-letter queue", { jobId: job.id, error: String(failure) });
    }
  }
}

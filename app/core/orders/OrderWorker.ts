import { Worker, type Job } from "bullmq";

import { silentLogger, type Logger } from "../logger.ts";
import type { QueueRetryBackoffOptions } from "../queues/backoff.ts";
import { DeadLetterQueue } from "../queues/DeadLetterQueue.ts";
import { parseOrderEvent } from "./OrderEvent.ts";
import type { OrderOutcome, OrderProcessor } from "./OrderProcessor.ts";
import { HoldfastQueues, QUEUE_NAMES } from "../queues/queues.ts";
import { deadLetterUnseenFailures } from "../queues/failurePolicy.ts";
import { QueueRunner } from "../queues/QueueRunner.ts";
import { runOrderJob } from "./runOrderJob.ts";

export interface OrderWorkerOptions {
  queues: HoldfastQueues;
  processor: OrderProcessor;
  deadLetters: DeadLetterQueue;
  logger?: Logger;
  /**
   * Jobs in flight per process; default 200. Each job mostly waits on a few Redis round trips
   * and on its share of a batched SQL statement (db/BatchedOrderRepository), so more jobs in
   * flight means fuller statements: bench:orders measured 200 ahead of 50 on both databases.
   */
  concurrency?: number;
  /** How long a job stays locked to this worker without renewal (kill -9 recovery time); default 30 s. */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died; default 30 s. */
  stalledIntervalMs?: number;
  /** Stalls (worker deaths) a job survives before it fails; default 2. */
  maxStalledCount?: number;
  backoff?: QueueRetryBackoffOptions;
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
  private readonly runner: QueueRunner;
  private readonly deadLetters: DeadLetterQueue;
  private readonly logger: Logger;
  private readonly processor: OrderProcessor;

  constructor(options: OrderWorkerOptions) {
    this.deadLetters = options.deadLetters;
    this.logger = options.logger ?? silentLogger;
    this.processor = options.processor;
    this.runner = new QueueRunner(
      {
        queues: options.queues,
        queue: QUEUE_NAMES.orderEvents,
        label: "order",
        logger: this.logger,
        concurrency: options.concurrency ?? 200,
        lockDurationMs: options.lockDurationMs ?? 30_000,
        ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
        maxStalledCount: options.maxStalledCount ?? 2,
        ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      },
      (job) => this.run(job),
    );
    this.worker = this.runner.worker;
    deadLetterUnseenFailures(this.worker, this.deadLetters, QUEUE_NAMES.orderEvents, this.logger);
  }

  start(): void {
    this.runner.start();
  }

  /** Finishes the jobs in flight (or lets them go back to the queue when `force`), then disconnects. */
  close(force = false): Promise<void> {
    return this.runner.close(force);
  }

  private run(job: Job): Promise<OrderOutcome> {
    const failures = { queue: QUEUE_NAMES.orderEvents, deadLetters: this.deadLetters, logger: this.logger, label: "order event failed" };
    return runOrderJob(job, failures, () => this.processor.process(parseOrderEvent(job.data)));
  }
}

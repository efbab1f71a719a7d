import type { Job } from "bullmq";

import { silentLogger, type Logger } from "../logger.ts";
import type { QueueRetryBackoffOptions } from "../queues/backoff.ts";
import type { DeadLetterQueue } from "../queues/DeadLetterQueue.ts";
import { deadLetterUnseenFailures } from "../queues/failurePolicy.ts";
import { QueueRunner } from "../queues/QueueRunner.ts";
import { QUEUE_NAMES, type HoldfastQueues } from "../queues/queues.ts";
import { parsePlatformEvent } from "./PlatformEvent.ts";
import type { PlatformEventOutcome, PlatformEventProcessor } from "./PlatformEventProcessor.ts";
import { runOrderJob, type OrderJobContext } from "./runOrderJob.ts";

export interface PlatformEventWorkerOptions {
  queues: HoldfastQueues;
  processor: PlatformEventProcessor;
  deadLetters: DeadLetterQueue;
  logger?: Logger;
  /** Deliveries in flight per process; default 10 (each is a SQL query and perhaps one platform call). */
  concurrency?: number;
  backoff?: QueueRetryBackoffOptions;
}

/**
 * The BullMQ worker of the platform-events queue: verified deliveries, read and mapped to
 * order events here rather than before the webhook's answer. Retries with the queue kit's
 * backoff; a delivery no retry can fix (not an order of its platform) goes to the dead-letter
 * queue at once with its reason.
 */
export class PlatformEventWorker {
  private readonly runner: QueueRunner;
  private readonly failures: OrderJobContext;

  constructor(private readonly options: PlatformEventWorkerOptions) {
    const { queues, deadLetters, backoff } = options;
    const logger = options.logger ?? silentLogger;
    const queue = QUEUE_NAMES.platformEvents;
    this.failures = { queue, deadLetters, logger, label: "platform event failed" };
    this.runner = new QueueRunner(
      { queues, queue, label: "platform event", logger, concurrency: options.concurrency ?? 10, ...(backoff && { backoff }) },
      (job) => this.run(job),
    );
    deadLetterUnseenFailures(this.runner.worker, deadLetters, queue, logger);
  }

  start(): void {
    this.runner.start();
  }

  close(force = false): Promise<void> {
    return this.runner.close(force);
  }

  private run(job: Job): Promise<PlatformEventOutcome> {
    return runOrderJob(job, this.failures, () => this.options.processor.process(parsePlatformEvent(job.data)));
  }
}

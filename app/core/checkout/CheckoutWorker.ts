import { Worker, type Job } from "bullmq";

import { silentLogger, type Logger } from "../logger.ts";
import type { QueueRetryBackoffOptions } from "../queues/backoff.ts";
import type { DeadLetterQueue } from "../queues/DeadLetterQueue.ts";
import { HoldfastQueues, QUEUE_NAMES } from "../queues/queues.ts";
import { isBreakerOpen } from "../resilience/index.ts";
import { CheckoutFailure, type CheckoutOutcome, type CheckoutProcessor } from "./CheckoutProcessor.ts";
import type { CheckoutJob } from "./CheckoutQueue.ts";
import { PaymentUnavailableError } from "./PaymentProvider.ts";
import { deferJob } from "../queues/deferral.ts";
import { failJob } from "../queues/failurePolicy.ts";
import { QueueRunner } from "../queues/QueueRunner.ts";

export interface CheckoutWorkerOptions {
  queues: HoldfastQueues;
  processor: CheckoutProcessor;
  deadLetters: DeadLetterQueue;
  logger?: Logger;
  /** Checkouts in flight per process; default 20 (each waits on a payment and a platform call). */
  concurrency?: number;
  /** kill -9 recovery time: how long a job stays locked without renewal; default 30 s. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  backoff?: QueueRetryBackoffOptions;
  /** How long to defer a job whose platform breaker is open when the breaker names no time; default 5 s. */
  breakerDeferMs?: number;
}

/**
 * The BullMQ worker of the `checkout` queue (job id = order id). Transient failures retry
 * with jittered backoff; an open breaker defers the job without spending an attempt; after
 * the last attempt the checkout is unwound (hold released, payment refunded) and the job is
 * kept in the dead-letter queue for the operator.
 */
export class CheckoutWorker {
  readonly worker: Worker<CheckoutJob, CheckoutOutcome>;
  private readonly runner: QueueRunner<CheckoutJob, CheckoutOutcome>;
  private readonly logger: Logger;

  constructor(private readonly options: CheckoutWorkerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.runner = new QueueRunner<CheckoutJob, CheckoutOutcome>(
      {
        queues: options.queues,
        queue: QUEUE_NAMES.checkout,
        label: "checkout",
        logger: this.logger,
        concurrency: options.concurrency ?? 20,
        lockDurationMs: options.lockDurationMs ?? 30_000,
        ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
        maxStalledCount: 3,
        ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      },
      (job, token) => this.run(job, token),
    );
    this.worker = this.runner.worker;
  }

  start(): void {
    this.runner.start();
  }

  async close(force = false): Promise<void> {
    await this.runner.close(force);
  }

  private async run(job: Job<CheckoutJob, CheckoutOutcome>, token: string | undefined): Promise<CheckoutOutcome> {
    const { saleId, orderId } = job.data;
    try {
      return await this.options.processor.process(saleId, orderId);
    } catch (error) {
      const breakerWaitMs = isBreakerOpen(error)
        ? (error.details.retryAfterMs ?? null)
        : error instanceof PaymentUnavailableError && error.breakerOpen
          ? (error.retryAfterMs ?? null)
          : undefined;
      if (breakerWaitMs !== undefined && token !== undefined) {
        // Not the platform (or gateway) failing again: we did not even call it. Wait for the breaker, keep the attempts.
        const waitMs = breakerWaitMs ?? this.options.breakerDeferMs ?? 5_000;
        this.logger.info("checkout deferred: platform breaker open", { orderId, waitMs });
        return deferJob(job, token, waitMs);
      }
      return failJob({
        job,
        queue: QUEUE_NAMES.checkout,
        deadLetters: this.options.deadLetters,
        logger: this.logger,
        label: "checkout attempt failed",
        error,
        permanent: error instanceof CheckoutFailure,
        giveUp: (reason: string) => this.options.processor.giveUp(saleId, orderId, reason),
      });
    }
  }
}

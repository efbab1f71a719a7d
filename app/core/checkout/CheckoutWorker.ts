import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";

import { silentLogger, type Logger } from "../logger.ts";
import type { JitteredBackoffOptions } from "../orders/backoff.ts";
import type { DeadLetterQueue } from "../orders/DeadLetterQueue.ts";
import { HoldfastQueues, QUEUE_NAMES } from "../orders/queues.ts";
import { isBreakerOpen } from "../resilience/index.ts";
import { CheckoutFailure, type CheckoutOutcome, type CheckoutProcessor } from "./CheckoutProcessor.ts";
import type { CheckoutJob } from "./CheckoutQueue.ts";
import { PaymentUnavailableError } from "./PaymentProvider.ts";
import { QueueRunner } from "../orders/QueueRunner.ts";

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
  backoff?: JitteredBackoffOptions;
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
      const message = error instanceof Error ? error.message : String(error);
      const breakerWaitMs = isBreakerOpen(error) ? (error.details.retryAfterMs ?? null) : error instanceof PaymentUnavailableError && error.breakerOpen ? (error.retryAfterMs ?? null) : undefined;
      if (breakerWaitMs !== undefined && token !== undefined) {
        // Not the platform (or gateway) failing again: we did not even call it. Wait for the breaker, keep the attempts.
        const waitMs = breakerWaitMs ?? this.options.breakerDeferMs ?? 5_000;
        this.logger.info("checkout deferred: platform breaker open", { orderId, waitMs });
        await job.moveToDelayed(Date.now() + waitMs, token);
        throw new DelayedError();
      }
      const attempts = Math.max(1, job.opts.attempts ?? 1);
      const last = error instanceof CheckoutFailure || job.attemptsMade + 1 >= attempts;
      this.logger.warn("checkout attempt failed", { orderId, attempt: job.attemptsMade + 1, attempts, last, error: message });
      if (!last) throw error;
      // Unwinding may fail too (the refund needs the gateway): the dead letter's replay finishes it.
      await this.options.processor.giveUp(saleId, orderId, message).catch((failure: unknown) => this.logger.error("cannot unwind a checkout", { orderId, error: String(failure) }));
      await this.options.deadLetters
        .add({ queue: QUEUE_NAMES.checkout, jobId: job.id ?? null, name: job.name, data: job.data, error: message, failedAt: Date.now(), attemptsMade: job.attemptsMade + 1 })
        .catch((failure: unknown) => this.logger.error("cannot add to the dead-letter queue", { orderId, error: String(failure) }));
      throw new UnrecoverableError(message);
    }
  }
}

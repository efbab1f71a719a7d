import { UnrecoverableError, type Job, type Worker } from "bullmq";

import type { Logger } from "../logger.ts";
import type { DeadLetterQueue } from "./DeadLetterQueue.ts";
import type { QueueName } from "./queues.ts";

export interface FailedRun {
  job: Job;
  queue: QueueName;
  deadLetters: DeadLetterQueue;
  logger: Logger;
  /** Log line of a failed attempt, e.g. "order event failed". */
  label: string;
  error: unknown;
  /** No retry can fix it (a malformed job, an unknown store): dead-lettered at once. */
  permanent: boolean;
  /** What the dead letter says; default the error's message. */
  described?: string;
  /** Undo what the job had started before it is given up for good (e.g. release a hold, refund). */
  giveUp?: (message: string) => Promise<unknown>;
}

/**
 * The one failure policy of every queue worker: a failed attempt is logged; the last one (or
 * a permanent failure) is unwound, put on the dead-letter queue, and ends the job for good;
 * any other is thrown again so BullMQ retries it with the queue's backoff. Never returns.
 */
export async function failJob(run: FailedRun): Promise<never> {
  const { job } = run;
  const message = run.error instanceof Error ? run.error.message : String(run.error);
  const described = run.described ?? message;
  const attempts = Math.max(1, job.opts.attempts ?? 1);
  const last = run.permanent || job.attemptsMade + 1 >= attempts;
  run.logger.warn(run.label, { jobId: job.id, attempt: job.attemptsMade + 1, attempts, last, error: message });
  if (!last) throw run.error;
  // Unwinding may fail too (a refund needs the gateway): the dead letter's replay finishes it.
  await run.giveUp?.(message).catch((failure: unknown) => run.logger.error("cannot unwind a failed job", { jobId: job.id, error: String(failure) }));
  await deadLetterJob(run.deadLetters, run.queue, job, described, run.logger, 1);
  throw new UnrecoverableError(described);
}

/** Adds the job to the dead-letter queue (idempotent by queue and job id); a failure to do so is logged, not thrown. */
export async function deadLetterJob(
  deadLetters: DeadLetterQueue,
  queue: QueueName,
  job: Job,
  error: string,
  logger: Logger,
  pendingAttempts = 0,
): Promise<void> {
  try {
    await deadLetters.add({
      queue,
      jobId: job.id ?? null,
      name: job.name,
      data: job.data,
      error,
      failedAt: Date.now(),
      attemptsMade: job.attemptsMade + pendingAttempts,
    });
  } catch (failure) {
    logger.error("cannot add to the dead-letter queue", { jobId: job.id, error: String(failure) });
  }
}

/**
 * The safety net: failures the handler never saw (a job that stalled too often) also reach
 * the dead-letter queue. Adding twice is harmless (the dead letter's id is stable).
 */
export function deadLetterUnseenFailures(worker: Worker, deadLetters: DeadLetterQueue, queue: QueueName, logger: Logger): void {
  worker.on("failed", (job, error) => {
    if (job === undefined || job.finishedOn === undefined) return;
    void deadLetterJob(deadLetters, queue, job, error.message, logger);
  });
}

import type { Job } from "bullmq";

import type { Logger } from "../logger.ts";
import type { DeadLetterQueue } from "../queues/DeadLetterQueue.ts";
import { failJob } from "../queues/failurePolicy.ts";
import type { QueueName } from "../queues/queues.ts";
import { PermanentOrderError } from "./errors.ts";

export interface OrderJobContext {
  queue: QueueName;
  deadLetters: DeadLetterQueue;
  logger: Logger;
  /** Log line of a failed attempt, e.g. "order event failed". */
  label: string;
}

/**
 * Runs one job of an order queue (platform events, order events) under the queue kit's
 * failure policy: a PermanentOrderError (malformed, unknown sale) is dead-lettered at once,
 * described by its code; anything else is retried until the last attempt.
 */
export async function runOrderJob<T>(job: Job, context: OrderJobContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const permanent = error instanceof PermanentOrderError;
    const message = error instanceof Error ? error.message : String(error);
    return failJob({ job, ...context, error, permanent, described: permanent ? `${error.code}: ${message}` : message });
  }
}

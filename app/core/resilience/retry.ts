import { handleWhen, retry, type RetryPolicy } from "cockatiel";

import { PlatformRetryBackoff } from "./backoff.ts";
import { isTransient } from "./transient.ts";

export interface RetryOptions {
  /** Retries after the first attempt (0 = no retry). */
  retries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
  /**
   * For calls that must not run twice (no idempotency key): retry only failures that prove
   * the call did not run, i.e. throttling (the platform refused before executing, or our
   * budget never sent it). A timeout or dropped connection leaves the outcome unknown: the
   * caller has to look before trying again.
   */
  throttledOnly?: boolean;
}

/**
 * Retries transient failures with jittered exponential backoff. A failure whose
 * `retryAfterMs` exceeds `maxDelayMs` is not retried here: holding a worker that long is
 * worse than deferring the job, so the error goes back to the caller (the queue) at once.
 */
export function retryPolicy(options: RetryOptions): RetryPolicy {
  if (!Number.isInteger(options.retries) || options.retries < 0) throw new RangeError("retries must be a non-negative integer");
  const worthRetrying = (error: Error) =>
    isTransient(error) && (!options.throttledOnly || error.kind === "throttled") && (error.details.retryAfterMs ?? 0) <= options.maxDelayMs;
  return retry(handleWhen(worthRetrying), {
    maxAttempts: options.retries,
    backoff: new PlatformRetryBackoff({ initialDelayMs: options.initialDelayMs, maxDelayMs: options.maxDelayMs, random: options.random }),
  });
}

import type { IBackoff, IBackoffFactory, IRetryBackoffContext } from "cockatiel";

import { PlatformError } from "../platform/PlatformError.ts";

export interface BackoffOptions {
  /** Ceiling of the first delay (ms); each retry doubles it. */
  initialDelayMs: number;
  /** No delay exceeds this (ms). */
  maxDelayMs: number;
  /** Source of randomness in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

/** The exponential ceiling every Holdfast retry waits under: initial * 2^attempt (attempt 0 first), capped. */
export function exponentialCeilingMs(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt));
}

/**
 * Retries of one platform call inside a request (cockatiel): exponential backoff with full jitter (a uniform delay in [0, initial * 2^n)), so workers
 * that failed together do not retry together. When the platform said how long to wait
 * (`PlatformError.details.retryAfterMs`, e.g. computed from Shopify's throttleStatus), the
 * delay is at least that.
 */
export class PlatformRetryBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly options: BackoffOptions) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    return step(this.options, 0, context);
  }
}

function step(options: BackoffOptions, attempt: number, context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
  const ceiling = exponentialCeilingMs(attempt, options.initialDelayMs, options.maxDelayMs);
  const jittered = Math.floor((options.random ?? Math.random)() * ceiling);
  const reason = "error" in context.result ? context.result.error : undefined;
  const asked = reason instanceof PlatformError ? (reason.details.retryAfterMs ?? 0) : 0;
  return {
    duration: Math.min(options.maxDelayMs, Math.max(jittered, asked)),
    next: (nextContext) => step(options, attempt + 1, nextContext),
  };
}

import { DelayedError, type Job } from "bullmq";

import type { PlatformKind } from "../platform/Platform.ts";
import { PlatformError } from "../platform/PlatformError.ts";
import { BreakerOpenError, isBreakerOpen } from "../resilience/index.ts";

/** A wait that is not a failure: long enough that the platform may answer, short enough to stay current. */
const MIN_DEFER_MS = 250;
const DEFAULT_THROTTLE_DEFER_MS = 1_000;

/**
 * How long to put a job aside for an error that says "not now" rather than "failed": an open
 * circuit breaker (until it lets a test call through) or throttling (until the platform's or
 * our budget's retry-after). Null for every other error. A job deferred so does not spend an
 * attempt: a platform outage of any length never sends work to the dead-letter queue.
 */
export function deferralMs(error: unknown): number | null {
  if (isBreakerOpen(error)) return Math.max(MIN_DEFER_MS, error.details.retryAfterMs ?? 0);
  if (error instanceof PlatformError && error.kind === "throttled") {
    return Math.max(MIN_DEFER_MS, error.details.retryAfterMs ?? DEFAULT_THROTTLE_DEFER_MS);
  }
  return null;
}

/** Where a worker can ask whether a store's breaker is open (the app's store directory answers). */
export interface BreakerLookup {
  /** Milliseconds until the breaker of the store on the platform lets a test call through; 0 when it is not open. */
  breakerRetryAfterMs(storeId: string, platform: PlatformKind): number;
}

/**
 * A failure that opened (or re-opened) the store's breaker is the outage showing, not the
 * job failing: deferring it too keeps a long outage, whose half-open test calls keep failing,
 * from spending a job's attempts one probe at a time.
 */
export function outageAfter(error: unknown, breakers: BreakerLookup | undefined, storeId: string, platform: PlatformKind): PlatformError | null {
  if (!breakers || !(error instanceof PlatformError) || error.kind !== "unavailable" || isBreakerOpen(error)) return null;
  const retryAfterMs = breakers.breakerRetryAfterMs(storeId, platform);
  return retryAfterMs > 0 ? new BreakerOpenError(storeId, platform, retryAfterMs) : null;
}

/**
 * Puts the job aside for `waitMs` without spending an attempt, and ends this run of it: BullMQ
 * takes the DelayedError thrown here as "moved to delayed", not as a failure. Never returns.
 */
export async function deferJob(job: Job, token: string | undefined, waitMs: number): Promise<never> {
  await job.moveToDelayed(Date.now() + waitMs, token);
  throw new DelayedError();
}

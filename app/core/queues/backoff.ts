import type { BackoffStrategy, MinimalJob } from "bullmq";

import { exponentialCeilingMs } from "../resilience/backoff.ts";

export interface QueueRetryBackoffOptions {
  /** Used when a job names no base delay. */
  baseDelayMs?: number;
  /** No wait grows past this. */
  maxDelayMs?: number;
  /** Source of randomness in [0, 1); tests pin it. */
  random?: () => number;
}

/**
 * Retries of a queued job: exponential backoff with "equal jitter": attempt n waits between half and all of
 * base * 2^(n-1) (capped). The jitter spreads the retries of a burst of jobs that failed
 * together (a platform outage, a Redis failover) so they do not all come back in the same
 * millisecond; the fixed half keeps the growth exponential. Registered as the workers'
 * custom strategy under the name JITTERED_BACKOFF (queues.ts); the base delay comes from the
 * job's `backoff.delay`.
 */
export function queueRetryBackoff(options: QueueRetryBackoffOptions = {}): BackoffStrategy {
  const maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
  const random = options.random ?? Math.random;
  return (attemptsMade: number, _type?: string, _error?: Error, job?: MinimalJob) => {
    const base = baseDelayOf(job) ?? options.baseDelayMs ?? 1_000;
    const ceiling = exponentialCeilingMs(attemptsMade - 1, base, maxDelayMs);
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  };
}

function baseDelayOf(job: MinimalJob | undefined): number | undefined {
  const backoff = job?.opts.backoff;
  if (typeof backoff === "number") return backoff;
  return backoff?.delay;
}

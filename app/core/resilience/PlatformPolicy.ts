import type { RetryPolicy } from "cockatiel";

import { CircuitBreaker, type BreakerOptions, type BreakerState, type StateListener } from "./CircuitBreaker.ts";
import { retryPolicy } from "./retry.ts";
import { timeoutGuard, type TimeoutGuard } from "./timeout.ts";

export interface PlatformPolicyOptions {
  /** Deadline of one attempt (ms). */
  timeoutMs?: number;
  /** Retries after the first attempt, for transient failures only. */
  retries?: number;
  /** Backoff between retries: full jitter under initialDelayMs * 2^n, capped at maxDelayMs. */
  backoff?: { initialDelayMs?: number; maxDelayMs?: number; random?: () => number };
  breaker?: Partial<BreakerOptions>;
  /** Names the breaker in errors and metrics. */
  storeId?: string;
  platform?: string;
}

export const DEFAULT_POLICY = {
  timeoutMs: 5_000,
  retries: 3,
  initialDelayMs: 200,
  maxDelayMs: 5_000,
  halfOpenAfterMs: 30_000,
  consecutiveFailures: 5,
} as const;

export interface ExecuteOptions {
  /**
   * Runs before every attempt, outside the deadline and the breaker: e.g. waiting for the
   * platform's rate budget, which is not the platform being slow. What it throws counts
   * like an attempt's failure (a throttled error with a short wait is retried).
   */
  beforeAttempt?: () => Promise<void> | void;
  /** Cancels the whole call, retries included. */
  signal?: AbortSignal;
  /**
   * False for a call that must not run twice (it has no idempotency key): then only
   * throttling is retried, since a timeout or a dropped connection may hide a success.
   */
  idempotent?: boolean;
}

/**
 * Every platform call goes through one of these: retry (outermost) -> circuit breaker ->
 * timeout (per attempt) -> the call. Failures reach the caller as PlatformError; an open
 * breaker as BreakerOpenError (kind "unavailable", code "breaker_open", retryAfterMs), which
 * queue workers answer by deferring the job.
 */
export class PlatformPolicy {
  readonly breaker: CircuitBreaker;
  private readonly retry: RetryPolicy;
  private readonly retryThrottled: RetryPolicy;
  private readonly deadline: TimeoutGuard;

  constructor(options: PlatformPolicyOptions = {}) {
    this.breaker = new CircuitBreaker(options.storeId ?? "-", options.platform ?? "-", {
      halfOpenAfterMs: options.breaker?.halfOpenAfterMs ?? DEFAULT_POLICY.halfOpenAfterMs,
      consecutiveFailures: options.breaker?.consecutiveFailures ?? DEFAULT_POLICY.consecutiveFailures,
    });
    const retry = {
      retries: options.retries ?? DEFAULT_POLICY.retries,
      initialDelayMs: options.backoff?.initialDelayMs ?? DEFAULT_POLICY.initialDelayMs,
      maxDelayMs: options.backoff?.maxDelayMs ?? DEFAULT_POLICY.maxDelayMs,
      random: options.backoff?.random,
    };
    this.retry = retryPolicy(retry);
    this.retryThrottled = retryPolicy({ ...retry, throttledOnly: true });
    this.deadline = timeoutGuard(options.timeoutMs ?? DEFAULT_POLICY.timeoutMs);
  }

  get state(): BreakerState {
    return this.breaker.state;
  }

  onStateChange(listener: StateListener): () => void {
    return this.breaker.onStateChange(listener);
  }

  /** Runs `fn` (which should pass the signal on to its HTTP request) under the policy. */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, options: ExecuteOptions = {}): Promise<T> {
    const retry = options.idempotent === false ? this.retryThrottled : this.retry;
    return retry.execute(async ({ signal }) => {
      this.breaker.throwIfOpen();
      await options.beforeAttempt?.();
      return this.breaker.execute((breakerSignal) => this.deadline.execute(fn, breakerSignal), signal);
    }, options.signal ?? new AbortController().signal); // a signal per call: cockatiel hangs a listener on it per attempt
  }
}

/** `platformPolicy({ timeoutMs = 5000, retries, breaker: { halfOpenAfterMs, consecutiveFailures } })`. */
export function platformPolicy(options: PlatformPolicyOptions = {}): PlatformPolicy {
  return new PlatformPolicy(options);
}

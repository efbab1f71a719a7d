import { circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from "cockatiel";

import { isRedisUnavailable, RedisUnavailableError } from "./errors/RedisUnavailableError.ts";

export interface RedisCircuitOptions {
  /** Consecutive unanswered commands (timeouts, lost connections) that open the circuit. */
  consecutiveFailures?: number;
  /** How long the open circuit refuses before its own probe asks Redis again (ms). */
  probeAfterMs?: number;
}

/**
 * The circuit around the storefront's Redis. Closed, calls run (and each one's own command
 * timeout bounds it). After a few consecutive unanswered calls it opens: every call is then
 * refused at once with RedisUnavailableError, so a dead Redis costs a shopper request
 * microseconds, not a timeout. While open, the circuit probes Redis itself (a PING) every
 * `probeAfterMs`; shoppers are never the probe and never queue behind it. The first answered
 * probe closes it.
 */
export class RedisCircuit {
  private readonly policy: CircuitBreakerPolicy;
  private readonly probeAfterMs: number;
  private openedAt = 0;
  private probeTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly probe: () => Promise<unknown>,
    options: RedisCircuitOptions = {},
  ) {
    this.probeAfterMs = options.probeAfterMs ?? 1_000;
    // Errors already turned into RedisUnavailableError were counted where they happened.
    this.policy = circuitBreaker(
      handleWhen((error) => isRedisUnavailable(error) && !(error instanceof RedisUnavailableError)),
      { halfOpenAfter: this.probeAfterMs, breaker: new ConsecutiveBreaker(options.consecutiveFailures ?? 3) },
    );
    this.policy.onBreak(() => {
      this.openedAt = Date.now();
      this.scheduleProbe();
    });
  }

  get state(): "closed" | "open" {
    return this.policy.state === CircuitState.Closed ? "closed" : "open";
  }

  /** Milliseconds until the next probe; what Retry-After tells clients (at least a second). */
  get retryAfterMs(): number {
    return Math.max(1_000, this.openedAt + this.probeAfterMs - Date.now());
  }

  /**
   * run() for work that may finish without waiting (a status poll answered from this
   * process's caches): refused at once while open, as run() is; an answer given synchronously
   * costs no promise and counts neither way, since it asked Redis nothing (its own Redis calls,
   * like the room view's refresh, go through run()). Only an answer that waits is counted.
   */
  guard<T>(fn: () => T | Promise<T>): T | Promise<T> {
    if (this.policy.state !== CircuitState.Closed) throw new RedisUnavailableError(this.retryAfterMs);
    const result = fn();
    return result instanceof Promise ? this.run(() => result) : result;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.policy.state !== CircuitState.Closed) throw new RedisUnavailableError(this.retryAfterMs);
    try {
      return await this.policy.execute(fn);
    } catch (error) {
      if (isRedisUnavailable(error) && !(error instanceof RedisUnavailableError)) throw new RedisUnavailableError(this.retryAfterMs, { cause: error });
      throw error;
    }
  }

  /** Stops probing (process shutdown). */
  stop(): void {
    this.stopped = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
  }

  private scheduleProbe(): void {
    if (this.stopped || this.probeTimer) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      // Due: the breaker lets this one call through as its half-open test. A failed probe
      // opens it again (and onBreak schedules the next); one refused as early is rescheduled.
      this.policy
        .execute(this.probe)
        .catch(() => undefined)
        .finally(() => {
          if (this.policy.state === CircuitState.Open) this.scheduleProbe();
        });
    }, this.probeAfterMs + 5);
    this.probeTimer.unref();
  }
}

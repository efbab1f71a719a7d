import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from "cockatiel";

import { BreakerOpenError } from "./errors/BreakerOpenError.ts";
import { countsAgainstBreaker } from "./transient.ts";

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerOptions {
  /** How long an open breaker refuses calls before it lets one test call through (ms). */
  halfOpenAfterMs: number;
  /** Consecutive unhealthy failures (timeouts, connection errors, 5xx) that open it. */
  consecutiveFailures: number;
}

export type StateListener = (state: BreakerState) => void;

/**
 * One breaker for one store on one platform. Closed: calls pass. After N consecutive
 * unhealthy failures it opens and refuses calls with BreakerOpenError (nothing is sent).
 * After `halfOpenAfterMs` the next call is a test: success closes it, failure opens it again.
 */
export class CircuitBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;
  private held: { dispose(): void } | null = null;
  private readonly listeners = new Set<StateListener>();

  constructor(
    readonly storeId: string,
    readonly platform: string,
    private readonly options: BreakerOptions,
  ) {
    if (!Number.isInteger(options.consecutiveFailures) || options.consecutiveFailures < 1) {
      throw new RangeError("consecutiveFailures must be a positive integer");
    }
    if (!Number.isFinite(options.halfOpenAfterMs) || options.halfOpenAfterMs < 0) throw new RangeError("halfOpenAfterMs must be >= 0");
    this.policy = circuitBreaker(handleWhen(countsAgainstBreaker), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.consecutiveFailures),
    });
    this.policy.onBreak(() => {
      this.openedAt = Date.now();
    });
    this.policy.onStateChange((state) => {
      const named = nameOf(state);
      for (const listener of this.listeners) listener(named);
    });
  }

  get state(): BreakerState {
    return nameOf(this.policy.state);
  }

  /**
   * Opens the breaker until `release()`, whatever calls do meanwhile: for a failure no test
   * call can fix (Shopify refused to refresh the store's token; only the merchant can).
   */
  hold(): void {
    if (this.held) return;
    this.openedAt = Date.now();
    this.held = this.policy.isolate();
  }

  /** Ends `hold()`: the breaker closes and calls pass again. */
  release(): void {
    this.held?.dispose();
    this.held = null;
  }

  get isHeld(): boolean {
    return this.held !== null;
  }

  /** Milliseconds until an open breaker lets a test call through; 0 when not open. */
  get retryAfterMs(): number {
    if (this.state !== "open") return 0;
    // Held open: look again after the usual interval (the hold may have ended by then).
    if (this.held) return this.options.halfOpenAfterMs;
    return Math.max(0, this.openedAt + this.options.halfOpenAfterMs - Date.now());
  }

  /** Refuses at once while open and not yet due for a test call (so callers can skip their own setup). */
  throwIfOpen(): void {
    if (this.state === "open" && this.retryAfterMs > 0) throw new BreakerOpenError(this.storeId, this.platform, this.retryAfterMs);
  }

  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await this.policy.execute((context) => fn(context.signal), signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw new BreakerOpenError(this.storeId, this.platform, this.retryAfterMs);
      throw error;
    }
  }

  /** Subscribes to state changes (metrics, logs, the dashboard); returns the unsubscribe function. */
  onStateChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function nameOf(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Closed:
      return "closed";
    case CircuitState.HalfOpen:
      return "half-open";
    default:
      // Open, and Isolated (held open by hand), both refuse calls.
      return "open";
  }
}

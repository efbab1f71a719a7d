import type { PlatformKind } from "../platform/Platform.ts";
import type { BreakerState } from "./CircuitBreaker.ts";
import { PlatformPolicy, type PlatformPolicyOptions } from "./PlatformPolicy.ts";

export interface BreakerSnapshot {
  storeId: string;
  platform: PlatformKind;
  state: BreakerState;
  /** Until a test call is let through, when open. */
  retryAfterMs: number;
}

export type RegistryListener = (change: { storeId: string; platform: PlatformKind; state: BreakerState }) => void;

/**
 * One policy, and so one circuit breaker, per (store, platform) in this process: a store
 * whose platform is down stops being called while every other store carries on. Breaker
 * state is per process on purpose: each worker finds out for itself, within a few calls.
 */
export class BreakerRegistry {
  private readonly entries = new Map<string, { storeId: string; platform: PlatformKind; policy: PlatformPolicy }>();
  private readonly listeners = new Set<RegistryListener>();

  constructor(private readonly options: Omit<PlatformPolicyOptions, "storeId" | "platform"> = {}) {}

  for(storeId: string, platform: PlatformKind): PlatformPolicy {
    const key = `${platform}\u0000${storeId}`;
    const known = this.entries.get(key);
    if (known) return known.policy;
    const policy = new PlatformPolicy({ ...this.options, storeId, platform });
    policy.onStateChange((state) => {
      for (const listener of this.listeners) listener({ storeId, platform, state });
    });
    this.entries.set(key, { storeId, platform, policy });
    return policy;
  }

  /** Every breaker this process has, for /metrics and the dashboard. */
  snapshot(): BreakerSnapshot[] {
    return [...this.entries.values()].map(({ storeId, platform, policy }) => ({
      storeId,
      platform,
      state: policy.state,
      retryAfterMs: policy.breaker.retryAfterMs,
    }));
  }

  /** Subscribes to every breaker's state changes, present and future; returns the unsubscribe function. */
  onStateChange(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

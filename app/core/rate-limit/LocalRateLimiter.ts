import { systemClock, type Clock } from "../clock.ts";
import type { RateLimitResult, RateLimitRule } from "./types.ts";
import { assertRateLimitKey, assertRule, secondsUntil } from "./validation.ts";

export interface LocalRateLimiterOptions {
  clock?: Clock;
  /** Buckets kept at most; the least recently used go first. */
  maxKeys?: number;
}

export const DEFAULT_LOCAL_MAX_KEYS = 100_000;

/**
 * Token buckets in this process's memory, for status polling: that endpoint must answer
 * without any Redis call, so each process limits on its own (N processes admit N times the
 * rule in total; size the rule per process).
 *
 * A bucket holds `limit` tokens and refills at `limit` per `windowMs`. Tokens are counted
 * in units of 1/windowMs so all arithmetic stays in exact integers.
 *
 * Memory is bounded: past `maxKeys` the least recently used bucket is dropped. A dropped key
 * starts again with a full bucket, so under a flood of distinct keys the limiter errs
 * towards letting people in, never towards blocking them.
 */
export class LocalRateLimiter {
  // Map keeps insertion order; re-inserting on every hit makes the first entry the least recently used.
  private readonly buckets = new Map<string, { units: number; refilledAt: number }>();
  private readonly clock: Clock;
  private readonly maxKeys: number;

  constructor(options: LocalRateLimiterOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxKeys = options.maxKeys ?? DEFAULT_LOCAL_MAX_KEYS;
  }

  get size(): number {
    return this.buckets.size;
  }

  hit(key: string, rule: RateLimitRule): RateLimitResult {
    assertRateLimitKey(key);
    assertRule(rule);
    const now = this.clock.now();
    const capacity = rule.limit * rule.windowMs;
    const bucket = this.buckets.get(key);
    let units = capacity;
    if (bucket) {
      this.buckets.delete(key);
      // A clock that steps back refills nothing rather than draining the bucket.
      units = Math.min(capacity, bucket.units + Math.max(0, now - bucket.refilledAt) * rule.limit);
    }
    const allowed = units >= rule.windowMs;
    if (allowed) units -= rule.windowMs;
    this.buckets.set(key, { units, refilledAt: now });
    if (this.buckets.size > this.maxKeys) this.evictLeastRecentlyUsed();
    if (allowed) return { allowed, retryAfterSeconds: 0, remaining: Math.floor(units / rule.windowMs) };
    return { allowed, retryAfterSeconds: secondsUntil(Math.ceil((rule.windowMs - units) / rule.limit)), remaining: 0 };
  }

  private evictLeastRecentlyUsed(): void {
    const oldest = this.buckets.keys().next();
    if (!oldest.done) this.buckets.delete(oldest.value);
  }
}

import { InvalidInputError } from "../errors/InvalidInputError.ts";
import type { RateLimitRule } from "./types.ts";

const MAX_KEY_LENGTH = 256;

/** Keys carry caller-supplied parts (a session id); an unbounded one would be unbounded memory. */
export function assertRateLimitKey(key: string): void {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new InvalidInputError("invalid_rate_limit_key", `a rate-limit key must be 1-${MAX_KEY_LENGTH} characters`);
  }
}

/** Rules come from configuration, so a bad one is a programming or deployment error. */
export function assertRule(rule: RateLimitRule): void {
  if (!Number.isSafeInteger(rule.limit) || rule.limit < 1 || !Number.isSafeInteger(rule.windowMs) || rule.windowMs < 1) {
    throw new RangeError(`a rate-limit rule needs a whole limit >= 1 and windowMs >= 1, got ${rule.limit} per ${rule.windowMs} ms`);
  }
}

export function secondsUntil(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

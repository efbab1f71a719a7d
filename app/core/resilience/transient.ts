import { PlatformError } from "../platform/PlatformError.ts";
import { BREAKER_OPEN } from "./errors/BreakerOpenError.ts";

/**
 * Which failures are worth another attempt right away: the platform was busy (throttled) or
 * did not answer properly (unavailable, including our own timeouts). `conflict` is retryable
 * for the caller, who re-reads first; repeating the same stale write would only fail again,
 * so the policy leaves it alone. An open breaker is never retried in-process: the job is
 * deferred instead.
 */
export function isTransient(error: unknown): error is PlatformError {
  return error instanceof PlatformError && (error.kind === "throttled" || error.kind === "unavailable") && error.details.code !== BREAKER_OPEN;
}

/**
 * Which failures say the platform is unhealthy and count towards opening the breaker:
 * timeouts, connection failures and 5xx. Throttling is a budget matter (the budget handles
 * it) and refusals (rejected, unauthorized, not_found, conflict) prove the platform is up.
 */
export function countsAgainstBreaker(error: unknown): boolean {
  // A token refreshed after Shopify refused the expired one says nothing about the platform's health.
  return error instanceof PlatformError && error.kind === "unavailable" && error.details.code !== BREAKER_OPEN && error.details.code !== "token_refreshed";
}

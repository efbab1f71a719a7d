import { PlatformError } from "../../platform/PlatformError.ts";

export const BREAKER_OPEN = "breaker_open";

/**
 * The circuit for this store and platform is open: the call was not attempted. Queue workers
 * defer the job by `retryAfterMs` (when the breaker will let a test call through); a shopper
 * request never sees this, because shopper requests never call a platform.
 */
export class BreakerOpenError extends PlatformError {
  constructor(
    readonly storeId: string,
    readonly platform: string,
    retryAfterMs: number,
  ) {
    super("unavailable", `circuit open for ${platform} store ${storeId}; deferring`, { code: BREAKER_OPEN, retryAfterMs });
  }
}

/** True for a breaker-open refusal, also when it crossed a module boundary as a plain PlatformError. */
export function isBreakerOpen(error: unknown): error is PlatformError {
  return error instanceof PlatformError && error.details.code === BREAKER_OPEN;
}

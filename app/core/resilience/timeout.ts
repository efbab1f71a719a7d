import { TaskCancelledError, timeout, TimeoutStrategy } from "cockatiel";

import { PlatformTimeoutError } from "./errors/PlatformTimeoutError.ts";

export interface TimeoutGuard {
  readonly timeoutMs: number;
  /** Runs `fn` with a signal that aborts at the deadline; rejects with PlatformTimeoutError then. */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/**
 * A deadline per attempt. Aggressive: the caller gets its answer at the deadline even if the
 * work ignores the signal; the signal still aborts the HTTP request so no socket lingers.
 */
export function timeoutGuard(timeoutMs: number): TimeoutGuard {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError("timeoutMs must be a positive number");
  const policy = timeout(timeoutMs, TimeoutStrategy.Aggressive);
  return {
    timeoutMs,
    async execute(fn, signal) {
      try {
        return await policy.execute((context) => fn(context.signal), signal);
      } catch (error) {
        // instanceof, not cockatiel's isTaskCancelledError: in 3.2.1 that one tests the wrong marker.
        if (error instanceof TaskCancelledError && !signal?.aborted) throw new PlatformTimeoutError(timeoutMs);
        throw error;
      }
    },
  };
}

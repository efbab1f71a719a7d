import type { PlatformErrorKind } from "../core/platform/index.ts";

/** When a 429 carries no usable Retry-After, wait this long before the next attempt. */
export const DEFAULT_RETRY_AFTER_MS = 1_000;

/**
 * `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 10.2.3). Returns undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** What a REST platform's HTTP status means for the caller; adapters refine it with their own codes. */
export function kindForHttpStatus(status: number): PlatformErrorKind {
  if (status === 429) return "throttled";
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 404) return "not_found";
  if (status === 408 || status >= 500) return "unavailable";
  return "rejected";
}

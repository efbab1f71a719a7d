import type { RateLimitResult } from "../core/rate-limit/index.ts";
import { HttpError } from "./HttpError.ts";
import { counted } from "../core/plural.ts";

/**
 * Turns a refused rate-limit hit into the API's 429: code `rate_limited`, a Retry-After
 * header, and a message a person can act on. Browsers only let the widget read Retry-After
 * when CORS exposes it (see cors.ts).
 */
export function enforce(result: RateLimitResult): void {
  if (result.allowed) return;
  throw rateLimited(result.retryAfterSeconds);
}

/** The 429 itself, for limits counted inside another Redis call (join, hold). */
export function rateLimited(seconds: number): HttpError {
  return new HttpError(429, "rate_limited", `Too many requests; try again in ${counted(seconds, { one: "{n} second", other: "{n} seconds" })}.`, {
    "retry-after": String(seconds),
  });
}

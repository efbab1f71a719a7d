import { isDatabaseUnavailable, isRedisUnavailable, RedisUnavailableError } from "../core/resilience/index.ts";
import { HttpError } from "./HttpError.ts";

const NOTHING_LOST = "Nothing was lost: a retry of the same request is safe.";

/**
 * The honest answer when a dependency did not answer (Redis, or the SQL database): 503 with
 * when to try again, never a 500. Null for any other error.
 */
export function unavailableAnswer(error: unknown): HttpError | null {
  if (isRedisUnavailable(error)) {
    const retryAfterMs = error instanceof RedisUnavailableError ? error.retryAfterMs : 1_000;
    return new HttpError(503, "service_unavailable", `The sale is briefly unavailable; try again in a moment. ${NOTHING_LOST}`, {
      "retry-after": String(Math.ceil(retryAfterMs / 1_000)),
    });
  }
  if (isDatabaseUnavailable(error)) {
    return new HttpError(503, "service_unavailable", `The service's database did not answer; try again in a moment. ${NOTHING_LOST}`, {
      "retry-after": "2",
    });
  }
  return null;
}

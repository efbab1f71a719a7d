import { UNAVAILABLE_CODE, unavailableDependency } from "../core/resilience/index.ts";
import { HttpError } from "./HttpError.ts";

const NOTHING_LOST = "Nothing was lost: a retry of the same request is safe.";

const MESSAGES = {
  redis: `The sale is briefly unavailable; try again in a moment. ${NOTHING_LOST}`,
  database: `The service's database did not answer; try again in a moment. ${NOTHING_LOST}`,
} as const;

/**
 * The honest answer when a dependency did not answer (Redis, or the SQL database): 503 with
 * when to try again, never a 500. Null for any other error.
 */
export function unavailableAnswer(error: unknown): HttpError | null {
  const unavailable = unavailableDependency(error);
  if (unavailable === null) return null;
  return new HttpError(503, UNAVAILABLE_CODE, MESSAGES[unavailable.dependency], { "retry-after": String(unavailable.retryAfterSeconds) });
}

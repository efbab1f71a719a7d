import { isDatabaseUnavailable } from "./databaseUnavailable.ts";
import { isRedisUnavailable, RedisUnavailableError } from "./RedisUnavailableError.ts";

/** A dependency that did not answer, and when asking again makes sense. */
export interface UnavailableDependency {
  dependency: "redis" | "database";
  /** What Retry-After says: the Redis circuit's next probe, or a short pause for the database. */
  retryAfterSeconds: number;
}

const DATABASE_RETRY_AFTER_SECONDS = 2;

/** The machine-readable code of every such 503, whichever layer words it. */
export const UNAVAILABLE_CODE = "service_unavailable";

/**
 * Whether `error` means "a dependency did not answer" (try again soon: a 503) rather than a
 * fault of ours (a 500). Each delivery layer words the answer for its own audience (the lean
 * API for shoppers' clients, the admin pages for merchants); this is the one place that decides.
 */
export function unavailableDependency(error: unknown): UnavailableDependency | null {
  if (isRedisUnavailable(error)) {
    const retryAfterMs = error instanceof RedisUnavailableError ? error.retryAfterMs : 1_000;
    return { dependency: "redis", retryAfterSeconds: Math.ceil(retryAfterMs / 1_000) };
  }
  if (isDatabaseUnavailable(error)) return { dependency: "database", retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS };
  return null;
}

/**
 * Redis did not answer (down, hung, or the circuit around it is open): nothing can be said
 * about the request's outcome except "try again soon". The HTTP layer answers 503
 * `service_unavailable` with Retry-After, never 500.
 */
export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";

  constructor(
    /** When a retry has a chance: the circuit's next probe, at least a second. */
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super("Redis is unavailable", options);
  }
}

/**
 * ioredis's ways of saying "Redis did not answer", as opposed to Redis refusing a command. In a
 * failover a Cluster client follows MOVED/TRYAGAIN/CLUSTERDOWN answers (none of which ran the
 * command) until it gives up with "Too many Cluster redirections"; a node that has just become
 * a replica refuses writes with READONLY before running them.
 */
const UNANSWERED =
  /Command timed out|Connection is closed|Stream isn't writeable|Reached the max retries per request limit|Failed to refresh slots cache|Cluster isn't ready|None of startup nodes is available|Too many Cluster redirections|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|^LOADING|^MASTERDOWN|^CLUSTERDOWN|^TRYAGAIN|^READONLY/;

export function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof RedisUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  return error.name === "MaxRetriesPerRequestError" || error.name === "ClusterAllFailedError" || UNANSWERED.test(error.message);
}

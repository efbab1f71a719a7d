/** At most `limit` requests per `windowMs` for one key. */
export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** 0 when allowed; otherwise whole seconds (at least 1) until a request would pass again. */
  retryAfterSeconds: number;
  /** Requests still allowed in the current window after this one. */
  remaining: number;
}

/**
 * Why a platform call failed, in the terms the caller acts on:
 *   throttled    over the platform's budget; retry after `retryAfterMs`
 *   unavailable  timeout, connection failure, 5xx; retry with backoff (counts for the breaker)
 *   rejected     the platform refused the request as such (4xx, userErrors); retrying will not help
 *   unauthorized credentials revoked or wrong; the merchant must reconnect
 *   not_found    the product, item or order does not exist (any more)
 *   conflict     compare-and-set lost (stock changed meanwhile); re-read and retry
 */
export type PlatformErrorKind = "throttled" | "unavailable" | "rejected" | "unauthorized" | "not_found" | "conflict";

export class PlatformError extends Error {
  override readonly name = "PlatformError";

  constructor(
    readonly kind: PlatformErrorKind,
    message: string,
    readonly details: { status?: number; code?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.kind === "throttled" || this.kind === "unavailable" || this.kind === "conflict";
  }
}

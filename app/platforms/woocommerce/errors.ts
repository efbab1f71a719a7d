import { PlatformError, type PlatformErrorKind } from "../../core/platform/index.ts";
import { DEFAULT_RETRY_AFTER_MS, kindForHttpStatus, parseRetryAfter } from "../httpErrors.ts";

export { DEFAULT_RETRY_AFTER_MS };

/** WooCommerce (WordPress REST) errors look like `{code, message, data: {status}}`. */
export interface WooErrorBody {
  code?: string;
  message?: string;
  status?: number;
}

export function readWooErrorBody(body: unknown): WooErrorBody {
  if (typeof body !== "object" || body === null) return {};
  const record = body as Record<string, unknown>;
  const data = typeof record.data === "object" && record.data !== null ? (record.data as Record<string, unknown>) : {};
  return {
    code: typeof record.code === "string" ? record.code : undefined,
    message: typeof record.message === "string" ? record.message : undefined,
    status: typeof data.status === "number" ? data.status : undefined,
  };
}

/** Ids that no longer exist: WooCommerce answers 404 on reads but 400 `..._invalid_id` on updates. */
function isInvalidIdCode(code: string): boolean {
  return /^woocommerce_rest_.*invalid_id$/.test(code);
}

function kindFor(status: number, code: string): PlatformErrorKind {
  // rest_no_route means the URL is not a WooCommerce REST API (plugin off, wrong base URL): a
  // configuration problem, not a missing product or order.
  if (status === 404 && code === "rest_no_route") return "rejected";
  if (isInvalidIdCode(code) && status !== 429 && status !== 401 && status !== 403) return "not_found";
  return kindForHttpStatus(status);
}

/** An HTTP answer outside 2xx, mapped to the kind the caller acts on; WC's `code` is always kept. */
export function wooHttpError(status: number, body: unknown, retryAfter: string | undefined, nowMs: number, hint = ""): PlatformError {
  const wc = readWooErrorBody(body);
  if (status >= 300 && status < 400) {
    return new PlatformError("rejected", `WooCommerce answered a redirect (HTTP ${status}); configure the store's final URL${hint}`, {
      status,
      code: wc.code ?? "holdfast_redirect",
    });
  }
  const code = wc.code ?? `http_${status}`;
  const kind = kindFor(status, code);
  const message = `WooCommerce ${status} ${code}${wc.message ? `: ${wc.message}` : ""}${kind === "unauthorized" ? hint : ""}`;
  if (kind === "throttled") {
    return new PlatformError(kind, message, { status, code, retryAfterMs: parseRetryAfter(retryAfter, nowMs) ?? DEFAULT_RETRY_AFTER_MS });
  }
  return new PlatformError(kind, message, { status, code });
}

/** One refused item inside a 200 batch answer: `{id, error: {code, message, data: {status}}}`. */
export function wooItemError(error: unknown, nowMs: number): PlatformError {
  const wc = readWooErrorBody(error);
  return wooHttpError(wc.status ?? 400, error, undefined, nowMs);
}

export interface WooItemFailure {
  ref: string;
  kind: PlatformErrorKind;
  code: string;
  message: string;
}

/**
 * Some items of a batch were refused while the others were applied. Writes are absolute, so the
 * caller may retry the whole set; `failures` says which refs to look at.
 */
export class WooBatchItemsError extends PlatformError {
  constructor(
    readonly failures: readonly WooItemFailure[],
    attempted: number,
  ) {
    const first = failures[0];
    const kind: PlatformErrorKind = failures.every((failure) => failure.kind === "not_found")
      ? "not_found"
      : failures.some((failure) => failure.kind === "unavailable")
        ? "unavailable"
        : "rejected";
    const sample = failures
      .slice(0, 5)
      .map((failure) => `${failure.ref} (${failure.code})`)
      .join(", ");
    super(kind, `WooCommerce refused ${failures.length} of ${attempted} stock writes: ${sample}${failures.length > 5 ? ", ..." : ""}`, {
      code: first?.code,
    });
  }
}

/** Transport failures: our own timeout, connection refused/reset, DNS... always worth a retry. */
export function wooTransportError(error: unknown, timedOutAfterMs: number | null): PlatformError {
  if (timedOutAfterMs !== null) {
    return new PlatformError("unavailable", `WooCommerce did not answer within ${timedOutAfterMs} ms`, { code: "holdfast_timeout" });
  }
  const record = typeof error === "object" && error !== null ? (error as Record<string, unknown>) : {};
  const code = typeof record.code === "string" ? record.code : "network_error";
  const message = error instanceof Error ? error.message : String(error);
  return new PlatformError("unavailable", `WooCommerce unreachable: ${message}`, { code });
}

import { PaymentDeclinedError, PaymentUnavailableError, type Capture, type CaptureRequest, type PaymentProvider } from "../../core/checkout/index.ts";
import { systemClock, type Clock } from "../../core/clock.ts";
import { PlatformError } from "../../core/platform/index.ts";
import { isBreakerOpen, platformPolicy, type PlatformPolicy, type PlatformPolicyOptions } from "../../core/resilience/index.ts";
import { customSignatureHeaders, IDEMPOTENCY_KEY_HEADER } from "../custom/signature.ts";
import { kindForHttpStatus, parseRetryAfter } from "../httpErrors.ts";

export interface HttpPaymentOptions {
  /** Base URL of the gateway bridge: captures go to `<endpoint>/captures`, refunds to `<endpoint>/refunds`. */
  endpoint: string;
  /** Shared HMAC secret; requests are signed like the custom-store events (see custom/signature.ts). */
  secret: string;
  /** Largest payment payload accepted from a shopper, in bytes of JSON; default 4096. */
  maxPayloadBytes?: number;
  /** Timeout, retries and breaker (defaults: 5 s, 2 retries, breaker after 5 outages). */
  policy?: PlatformPolicyOptions;
  clock?: Clock;
  fetch?: typeof globalThis.fetch;
}

/**
 * A payment provider over HTTP, so any gateway can be plugged in behind a small bridge:
 *
 *   POST <endpoint>/captures {orderId, amount:{amountMinor,currency}, payment}
 *     200/201 {paymentRef}                   captured (also for a repeated Idempotency-Key)
 *     402/422 {error:{code,message}}         declined: final
 *     401/403, 429, 5xx, timeout             unavailable: the checkout job retries
 *   POST <endpoint>/refunds {orderId, reason}  200, or 404 when nothing was captured
 *
 * Every request carries X-Holdfast-Timestamp/X-Holdfast-Signature (HMAC-SHA256 of
 * "<timestamp>.<body>") and `Idempotency-Key: capture:<orderId>` / `refund:<orderId>`, so a
 * retried or replayed job never charges twice. Calls run under the resilience policy.
 */
export class HttpPaymentProvider implements PaymentProvider {
  readonly name = "http";
  readonly policy: PlatformPolicy;
  private readonly base: string;
  private readonly clock: Clock;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly maxPayloadBytes: number;

  constructor(private readonly options: HttpPaymentOptions) {
    const url = new URL(options.endpoint);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`payment endpoint must be http(s): ${options.endpoint}`);
    if (!options.secret) throw new Error("payment endpoint secret is required");
    this.base = url.toString().replace(/\/$/, "");
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.maxPayloadBytes = options.maxPayloadBytes ?? 4_096;
    this.policy = platformPolicy({ retries: 2, storeId: "payments", platform: "http-payments", ...options.policy });
  }

  checkPayload(payment: Record<string, unknown>): string | null {
    if (Object.keys(payment).length === 0) return "payment must carry the gateway's payment details";
    if (Buffer.byteLength(JSON.stringify(payment)) > this.maxPayloadBytes) return `payment must be at most ${this.maxPayloadBytes} bytes of JSON`;
    return null;
  }

  async capture(request: CaptureRequest): Promise<Capture> {
    const body = { orderId: request.orderId, amount: request.amount, payment: request.payment };
    const answer = await this.call("/captures", body, `capture:${request.orderId}`);
    const paymentRef = (answer.body as { paymentRef?: unknown }).paymentRef;
    return { paymentRef: typeof paymentRef === "string" ? paymentRef : request.orderId, replayed: answer.replayed };
  }

  async refund(orderId: string, reason: string): Promise<void> {
    try {
      await this.call("/refunds", { orderId, reason }, `refund:${orderId}`);
    } catch (error) {
      // Nothing was captured for this order: nothing to give back.
      if (error instanceof PaymentDeclinedError && error.code === "not_found") return;
      throw error;
    }
  }

  private async call(path: string, body: unknown, idempotencyKey: string): Promise<{ body: unknown; replayed: boolean }> {
    const payload = JSON.stringify(body);
    try {
      return await this.policy.execute(async (signal) => {
        const response = await this.fetchImpl(`${this.base}${path}`, {
          method: "POST",
          signal,
          headers: {
            "content-type": "application/json",
            [IDEMPOTENCY_KEY_HEADER]: idempotencyKey,
            ...customSignatureHeaders(this.options.secret, payload, this.clock.now()),
          },
          body: payload,
        }).catch((error: unknown) => {
          throw new PlatformError("unavailable", `payment endpoint unreachable: ${error instanceof Error ? error.message : String(error)}`);
        });
        const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
        if (response.ok) return { body: answer, replayed: response.headers.get("idempotent-replayed") === "true" };
        const error = (answer.error ?? {}) as { code?: unknown; message?: unknown };
        const code = typeof error.code === "string" ? error.code : `http_${response.status}`;
        const message = typeof error.message === "string" ? error.message : `payment endpoint answered ${response.status}`;
        const kind = response.status === 402 || response.status === 422 ? "rejected" : kindForHttpStatus(response.status);
        const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.clock.now());
        throw new PlatformError(kind, message, {
          status: response.status,
          code: response.status === 404 ? "not_found" : code,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      });
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      // A bridge refusing our signature is our misconfiguration, not the shopper's card: retry
      // (then dead-letter, replayable once fixed) rather than fail the order as declined.
      if (error.kind === "throttled" || error.kind === "unavailable" || error.kind === "unauthorized") {
        throw new PaymentUnavailableError(error.message, error.details.retryAfterMs, isBreakerOpen(error));
      }
      throw new PaymentDeclinedError(error.details.code ?? "payment_declined", error.message);
    }
  }
}

/**
 * The port through which a checkout is paid. Adapters live outside the core
 * (app/platforms/payments/): a test provider for the demo and tests, an HTTP provider for a
 * real gateway. Every call is idempotent by our order id, so a worker killed mid-job and run
 * again never charges twice.
 */

import type { Money } from "../money.ts";

export type { Money };

export interface CaptureRequest {
  orderId: string;
  amount: Money;
  /** What the shopper sent as `payment` (a gateway token, or `{method:"test"}`); opaque to the core. */
  payment: Record<string, unknown>;
}

export interface Capture {
  /** The provider's reference of the payment. */
  paymentRef: string;
  /** True when this order id had been captured before (a retried job). */
  replayed: boolean;
}

export interface PaymentProvider {
  readonly name: string;
  /**
   * A synchronous check of the shopper's payload, made on the hot path before the order is
   * queued: null when acceptable, otherwise why not. No network call.
   */
  checkPayload(payment: Record<string, unknown>): string | null;
  /** Authorizes and captures; throws PaymentDeclinedError (final) or PaymentUnavailableError (retry). */
  capture(request: CaptureRequest): Promise<Capture>;
  /** Gives the money back (void if not settled yet); idempotent, a no-op for an order never captured. */
  refund(orderId: string, reason: string): Promise<void>;
}

/** The payment was refused (card declined, fraud check): retrying will not change the answer. */
export class PaymentDeclinedError extends Error {
  override readonly name = "PaymentDeclinedError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The provider could not be reached or answered 5xx/timeout: try again later. */
export class PaymentUnavailableError extends Error {
  override readonly name = "PaymentUnavailableError";
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    /** Our breaker for the provider is open: the call was not even made, so the job waits instead of spending an attempt. */
    readonly breakerOpen = false,
  ) {
    super(message);
  }
}

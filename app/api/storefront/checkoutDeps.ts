import type { CheckoutOrderRepository, CheckoutQueue, CheckoutStore, PaymentProvider } from "../../core/checkout/index.ts";
import type { Clock } from "../../core/clock.ts";
import type { KeyringSource, RoomSource } from "./deps.ts";

/** What the checkout and order-status routes need: no SQL on the checkout path, no platform, no payment call. */
export interface CheckoutDeps {
  views: RoomSource;
  keyrings: KeyringSource;
  clock: Clock;
  checkouts: CheckoutStore;
  queue: Pick<CheckoutQueue, "enqueue">;
  /** Only its synchronous payload check runs on the request. */
  payments: Pick<PaymentProvider, "checkPayload">;
  /** SQL fallback for GET /v1/orders once Redis has let the record go. */
  orders: Pick<CheckoutOrderRepository, "find">;
}

/** An order token: read access to one order's status, for longer than the hold lives. */
export interface OrderClaims {
  typ: "order";
  s: string;
  /** The sale's store (null: standalone); picks the keyring, which then proves it. */
  st: string | null;
  o: string;
  iat: number;
  exp: number;
}

export const ORDER_TOKEN_DAYS = 30;

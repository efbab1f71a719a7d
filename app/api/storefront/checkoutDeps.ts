import type { CheckoutOrderRepository, CheckoutQueue, CheckoutStore, PaymentProvider } from "../../core/checkout/index.ts";
import type { Clock } from "../../core/clock.ts";
import { TokenError, unverifiedClaims, verifyToken, type Keyring } from "../../core/tokens/index.ts";
import type { RoomView } from "../../core/waiting-room/index.ts";
import { HttpError } from "../HttpError.ts";
import type { KeyringSource } from "./deps.ts";
import type { HoldClaims } from "./holds.ts";

/** What the checkout and order-status routes need: no SQL on the checkout path, no platform, no payment call. */
export interface CheckoutDeps {
  views: { get(saleId: string): Promise<RoomView | null> };
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
const SALE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function roomOf(deps: Pick<CheckoutDeps, "views">, saleId: unknown): Promise<RoomView | null> {
  return typeof saleId === "string" && SALE_ID.test(saleId) ? deps.views.get(saleId) : null;
}

/**
 * Verifies a hold token exactly as DELETE /v1/holds/{id} does: the token names its sale,
 * whose store's keys then check it. 401 with a code for anything forged, expired or malformed.
 */
export async function verifyHoldToken(deps: Pick<CheckoutDeps, "views" | "keyrings" | "clock">, token: string): Promise<{ claims: HoldClaims; view: RoomView }> {
  const saleId = unverifiedClaims(token)?.s;
  if (typeof saleId !== "string") throw new HttpError(401, "hold_token_invalid", "The hold token is malformed.");
  const view = await roomOf(deps, saleId);
  if (!view) throw new HttpError(404, "sale_not_found", `There is no open sale ${saleId}.`);
  const keyring = await deps.keyrings.forStore(view.storeId);
  return { claims: verifyTyped<HoldClaims>(token, keyring, "hold", deps.clock.now(), "hold_token_invalid"), view };
}

export function verifyTyped<T>(token: string, keyring: Keyring, type: string, now: number, code: string): T {
  try {
    return verifyToken<T & { typ: string; iat: number; [claim: string]: unknown }>(token, keyring, { type, now }) as T;
  } catch (error) {
    if (error instanceof TokenError) throw new HttpError(401, code, error.message);
    throw error;
  }
}

import type { Clock } from "../../core/clock.ts";
import { TokenError, unverifiedClaims, verifyToken, type Keyring } from "../../core/tokens/index.ts";
import type { RoomView } from "../../core/waiting-room/index.ts";
import { HttpError } from "../HttpError.ts";
import { requireRoom, type KeyringSource, type RoomSource } from "./deps.ts";

/** What a hold token proves: this hold, in this sale, placed by this session, for these lines. */
export interface HoldClaims {
  typ: "hold";
  s: string;
  /** hold id */
  h: string;
  sh: string;
  iat: number;
  exp: number;
  /**
   * The held lines (sale item id, units): the checkout gate (extensions/checkout-gate) maps a
   * cart line's variant to its sale item and checks the quantity against these offline.
   * Absent from tokens signed before it existed.
   */
  ln?: HoldTokenLine[];
}

export interface HoldTokenLine {
  i: string;
  q: number;
}

/**
 * Verifies a hold token (release, checkout, order status): the token names its sale, whose
 * store's keys then check it. 401 `hold_token_invalid` for anything forged, expired or
 * malformed; 404 for a sale this service does not run.
 */
export async function verifyHoldToken(
  deps: { views: RoomSource; keyrings: KeyringSource; clock: Clock },
  token: string,
  options: { acceptExpired?: boolean } = {},
): Promise<{ claims: HoldClaims; view: RoomView; expired: boolean }> {
  const unverified = unverifiedClaims(token);
  const saleId = unverified?.s;
  if (typeof saleId !== "string") throw new HttpError(401, "hold_token_invalid", "The hold token is malformed.");
  const view = await requireRoom(deps, saleId);
  const keyring = await deps.keyrings.forStore(view.storeId);
  // With acceptExpired, an expired token still proves which hold it was for (the signature
  // and everything else are checked as ever); the caller decides what it may still do.
  const exp = unverified?.exp;
  const now = deps.clock.now();
  const expired = typeof exp === "number" && now >= exp * 1_000;
  const checkedAt = options.acceptExpired && expired ? (exp as number) * 1_000 - 1 : now;
  return { claims: verifyTyped<HoldClaims>(token, keyring, "hold", checkedAt, "hold_token_invalid"), view, expired: options.acceptExpired === true && expired };
}

/** verifyToken for the API: a TokenError becomes a 401 with the caller's code. */
export function verifyTyped<T>(token: string, keyring: Keyring, type: string, now: number, code: string): T {
  try {
    return verifyToken<T & { typ: string; iat: number; [claim: string]: unknown }>(token, keyring, { type, now }) as T;
  } catch (error) {
    if (error instanceof TokenError) throw new HttpError(401, code, error.message);
    throw error;
  }
}

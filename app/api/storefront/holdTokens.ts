import type { Clock } from "../../core/clock.ts";
import { TokenError, unverifiedClaims, verifyHoldClaims, verifyToken, type HoldClaims, type HoldTokenLine, type Keyring } from "../../core/tokens/index.ts";
import type { RoomView } from "../../core/waiting-room/index.ts";
import { HttpError } from "../HttpError.ts";
import { requireRoom, type KeyringSource, type RoomSource } from "./deps.ts";

// The claims and their check live in the core (order-time enforcement verifies them too).
export type { HoldClaims, HoldTokenLine };

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
  try {
    const claims = verifyHoldClaims(token, keyring, { saleId, now, acceptExpired: options.acceptExpired === true });
    return { claims, view, expired: options.acceptExpired === true && expired };
  } catch (error) {
    if (error instanceof TokenError) throw new HttpError(401, "hold_token_invalid", error.message);
    throw error;
  }
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

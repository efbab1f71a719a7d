import type { Keyring } from "./keyring.ts";
import { verifyToken } from "./jwt.ts";
import { TokenError } from "./TokenError.ts";

/** What a hold token proves: this hold, in this sale, placed by this session, for these lines. */
export interface HoldClaims {
  typ: "hold";
  /** sale id */
  s: string;
  /** hold id */
  h: string;
  /** session binding */
  sh: string;
  iat: number;
  exp: number;
  /**
   * The held lines (sale item id, units): the checkout gate (extensions/checkout-gate) maps a
   * cart line's variant to its sale item and checks the quantity against these offline.
   * Absent from tokens signed before it existed. Order-time enforcement does not use them: it
   * takes the held lines from the hold in Redis.
   */
  ln?: HoldTokenLine[];
}

export interface HoldTokenLine {
  i: string;
  q: number;
}

/** Where the keys that signed a store's tokens are found (the store directory implements it). */
export interface KeyringSource {
  /** `storeId` null is the standalone store (demo and headless use without a platform). */
  forStore(storeId: string | null): Keyring | Promise<Keyring>;
}

export interface HoldTokenCheck {
  /** The sale the token must name: a token of another sale proves nothing here. */
  saleId: string;
  /** Milliseconds since the epoch. */
  now: number;
  /**
   * Accept a token past its expiry. An order may arrive after the hold's time ran out; whether
   * its units are still there is the hold engine's call (an unreclaimed hold is committed),
   * not the token's. The signature, key id, type and sale are checked all the same.
   */
  acceptExpired?: boolean;
}

/**
 * The one place a hold token is verified (storefront release and checkout, order-time
 * enforcement): signature and key id (the store's keyring), type, sale and hold id. Throws
 * TokenError; the caller decides what a refusal means (a 401, or a bypass line).
 */
export function verifyHoldClaims(token: string, keyring: Keyring, check: HoldTokenCheck): HoldClaims {
  const claims = verifyToken<HoldClaims & { [claim: string]: unknown }>(token, keyring, {
    type: "hold",
    now: check.now,
    ignoreExpiry: check.acceptExpired === true,
  });
  if (claims.s !== check.saleId) throw new TokenError("token_wrong_sale", "The hold token is for another sale.");
  if (typeof claims.h !== "string" || claims.h === "") throw new TokenError("token_malformed", "The hold token names no hold.");
  return claims;
}

import { base64UrlDecode, base64UrlEncode, hmacKey, hmacWith, sameBytes, utf8Decode, utf8Encode, type HmacKey } from "./hmac.ts";

/**
 * The function's check of a Holdfast hold token: a JWT HS256 that app/core/tokens/jwt.ts
 * signed with one of the store's keys. It checks what it can without a clock: the
 * signature, the key id, the type and the claims the gate needs (sale, lines, expiry).
 */

export interface HoldLine {
  /** sale item id */
  i: string;
  q: number;
}

export interface GateHoldClaims {
  s: string;
  h: string;
  exp: number;
  ln: HoldLine[];
}

export type TokenCheck = { ok: true; claims: GateHoldClaims } | { ok: false; reason: "malformed" | "unknown_key" | "bad_signature" };

// As app/core/tokens/jwt.ts: a hold token of 100 lines is about 3.6 KB.
const MAX_TOKEN_LENGTH = 4096;
const SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The store's keys by kid, each decoded and prepared once per run however many tokens use it. */
export type KeyChain = (kid: string) => HmacKey | null;

export function keyChain(keys: Record<string, string>): KeyChain {
  const prepared = new Map<string, HmacKey | null>();
  return (kid) => {
    let key = prepared.get(kid);
    if (key === undefined) {
      const secret = Object.prototype.hasOwnProperty.call(keys, kid) ? base64UrlDecode(keys[kid] as string) : null;
      key = secret && secret.length > 0 ? hmacKey(secret) : null;
      prepared.set(kid, key);
    }
    return key;
  };
}

export function checkHoldToken(token: string, keys: KeyChain): TokenCheck {
  if (token.length > MAX_TOKEN_LENGTH || !SHAPE.test(token)) return { ok: false, reason: "malformed" };
  const firstDot = token.indexOf(".");
  const secondDot = token.indexOf(".", firstDot + 1);
  const header = decodeJson(token.slice(0, firstDot));
  if (!header || header.alg !== "HS256" || typeof header.kid !== "string" || "crit" in header) return { ok: false, reason: "malformed" };
  const key = keys(header.kid);
  if (!key) return { ok: false, reason: "unknown_key" };
  // Compare the base64url text, as the core does: another spelling of the same bytes is not our token.
  const expected = utf8Encode(base64UrlEncode(hmacWith(key, utf8Encode(token.slice(0, secondDot)))));
  if (!sameBytes(utf8Encode(token.slice(secondDot + 1)), expected)) return { ok: false, reason: "bad_signature" };
  const claims = decodeJson(token.slice(firstDot + 1, secondDot));
  if (
    !claims ||
    claims.typ !== "hold" ||
    typeof claims.s !== "string" ||
    typeof claims.h !== "string" ||
    typeof claims.exp !== "number" ||
    !Array.isArray(claims.ln)
  ) {
    return { ok: false, reason: "malformed" };
  }
  const lines: HoldLine[] = [];
  for (const line of claims.ln as unknown[]) {
    if (typeof line !== "object" || line === null) return { ok: false, reason: "malformed" };
    const { i, q } = line as Record<string, unknown>;
    if (typeof i !== "string" || typeof q !== "number" || !Number.isSafeInteger(q) || q < 1) return { ok: false, reason: "malformed" };
    lines.push({ i, q });
  }
  return { ok: true, claims: { s: claims.s, h: claims.h, exp: claims.exp, ln: lines } };
}

function decodeJson(segment: string): Record<string, unknown> | null {
  const bytes = base64UrlDecode(segment);
  const text = bytes && utf8Decode(bytes);
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

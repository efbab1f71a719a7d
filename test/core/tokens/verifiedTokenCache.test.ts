import { describe, expect, it } from "vitest";

import { signToken, TokenError, VerifiedTokenCache, type Keyring, type TokenClaims } from "../../../app/core/tokens/index.ts";
import { withTamperedSignature } from "../../support/holdTokens.ts";

const NOW_MS = Date.UTC(2026, 10, 28, 12);
const NOW = NOW_MS / 1000;
const keyA = { kid: "kaaaaaaaa", secret: Buffer.alloc(32, 1) };
const keyB = { kid: "kbbbbbbbb", secret: Buffer.alloc(32, 2) };
const ring = (current = keyA, previous = [] as (typeof keyA)[]): Keyring => ({ current, previous });
const pass = (extra: Partial<TokenClaims> = {}): TokenClaims => ({ typ: "pass", iat: NOW, n: 7, ...extra });

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
  throw new Error("expected a TokenError");
}

describe("VerifiedTokenCache", () => {
  it("answers a repeat token from memory with the same claims and entry", () => {
    const cache = new VerifiedTokenCache<TokenClaims>({ type: "pass" });
    const keyring = ring();
    const token = signToken(pass(), keyring);
    const first = cache.verify(token, keyring, NOW_MS);
    const again = cache.verify(token, keyring, NOW_MS);
    expect(again).toBe(first);
    expect(again.claims).toMatchObject({ typ: "pass", n: 7 });
  });

  it("never remembers a token that failed, and checks the type on the first sight", () => {
    const cache = new VerifiedTokenCache<TokenClaims>({ type: "pass" });
    const keyring = ring();
    const token = signToken(pass(), keyring);
    const forged = withTamperedSignature(token);
    expect(codeOf(() => cache.verify(forged, keyring, NOW_MS))).toBe("token_bad_signature");
    expect(codeOf(() => cache.verify(forged, keyring, NOW_MS))).toBe("token_bad_signature");
    expect(codeOf(() => cache.verify(signToken({ ...pass(), typ: "ticket" }, keyring), keyring, NOW_MS))).toBe("token_wrong_type");
    expect(cache.size).toBe(0);
  });

  it("checks expiry and not-before on every hit", () => {
    const cache = new VerifiedTokenCache<TokenClaims>({ type: "pass" });
    const keyring = ring();
    const token = signToken(pass({ nbf: NOW, exp: NOW + 60 }), keyring);
    cache.verify(token, keyring, NOW_MS);
    expect(codeOf(() => cache.verify(token, keyring, NOW_MS + 60_000))).toBe("token_expired");
    expect(codeOf(() => cache.verify(token, keyring, NOW_MS - 1))).toBe("token_not_yet_valid");
    expect(cache.verify(token, keyring, NOW_MS + 59_999).claims.exp).toBe(NOW + 60);
  });

  it("verifies again under a reloaded keyring, so a retired key stops working at once", () => {
    const cache = new VerifiedTokenCache<TokenClaims>({ type: "pass" });
    const before = ring(keyA);
    const token = signToken(pass(), before);
    cache.verify(token, before, NOW_MS);
    // A rotation that still knows the old key keeps the token valid ...
    expect(cache.verify(token, ring(keyB, [keyA]), NOW_MS).claims.n).toBe(7);
    // ... one that dropped it refuses it, although the cache saw the token verified before.
    expect(codeOf(() => cache.verify(token, ring(keyB), NOW_MS))).toBe("token_unknown_key");
  });

  it("stays within two generations and keeps the tokens that are still in use", () => {
    const cache = new VerifiedTokenCache<TokenClaims>({ type: "pass", generationSize: 10 });
    const keyring = ring();
    const tokens = Array.from({ length: 100 }, (_, n) => signToken(pass({ n }), keyring));
    const hot = tokens[0] as string;
    const hotEntry = cache.verify(hot, keyring, NOW_MS);
    for (const token of tokens.slice(1)) {
      cache.verify(token, keyring, NOW_MS);
      cache.verify(hot, keyring, NOW_MS);
      expect(cache.size).toBeLessThanOrEqual(20);
    }
    expect(cache.verify(hot, keyring, NOW_MS)).toBe(hotEntry);
    // A cold token fell out and is verified afresh (a new entry).
    const cold = tokens[1] as string;
    const coldEntry = cache.verify(cold, keyring, NOW_MS);
    expect(cache.verify(cold, keyring, NOW_MS)).toBe(coldEntry);
  });
});

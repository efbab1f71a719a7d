import { describe, expect, it } from "vitest";

import { signToken, verifyHoldClaims } from "../../../app/core/tokens/index.ts";
import { FOREIGN_KEYRING, signHoldToken, TEST_KEYRING, withTamperedSignature } from "../../support/holdTokens.ts";

describe("verifyHoldClaims", () => {
  const now = Date.now();

  it("returns the hold of a token signed for this sale with the store's current or previous key", () => {
    expect(verifyHoldClaims(signHoldToken("sale-1", "hold-1"), TEST_KEYRING, { saleId: "sale-1", now }).h).toBe("hold-1");
    const rotated = signHoldToken("sale-1", "hold-2", { keyring: { current: TEST_KEYRING.previous[0]!, previous: [] } });
    expect(verifyHoldClaims(rotated, TEST_KEYRING, { saleId: "sale-1", now }).h).toBe("hold-2");
  });

  it("refuses another sale's token, another store's key and a tampered signature, each with its code", () => {
    expect(() => verifyHoldClaims(signHoldToken("sale-2", "hold-1"), TEST_KEYRING, { saleId: "sale-1", now })).toThrow(
      expect.objectContaining({ code: "token_wrong_sale" }),
    );
    expect(() => verifyHoldClaims(signHoldToken("sale-1", "hold-1", { keyring: FOREIGN_KEYRING }), TEST_KEYRING, { saleId: "sale-1", now })).toThrow(
      expect.objectContaining({ code: "token_bad_signature" }),
    );
    const token = signHoldToken("sale-1", "hold-1");
    expect(() => verifyHoldClaims(withTamperedSignature(token), TEST_KEYRING, { saleId: "sale-1", now })).toThrow(
      expect.objectContaining({ code: "token_bad_signature" }),
    );
    const pass = signToken({ typ: "pass", s: "sale-1", h: "hold-1", iat: 1 }, TEST_KEYRING);
    expect(() => verifyHoldClaims(pass, TEST_KEYRING, { saleId: "sale-1", now })).toThrow(expect.objectContaining({ code: "token_wrong_type" }));
  });

  it("accepts an expired token only when asked (order time), and never one that is not valid yet", () => {
    const expired = signHoldToken("sale-1", "hold-1", { ttlSeconds: -60 });
    expect(() => verifyHoldClaims(expired, TEST_KEYRING, { saleId: "sale-1", now })).toThrow(expect.objectContaining({ code: "token_expired" }));
    expect(verifyHoldClaims(expired, TEST_KEYRING, { saleId: "sale-1", now, acceptExpired: true }).h).toBe("hold-1");
    const early = signToken(
      { typ: "hold", s: "sale-1", h: "hold-1", sh: "x", iat: 1, nbf: Math.floor(now / 1_000) + 3_600, exp: Math.floor(now / 1_000) + 7_200 },
      TEST_KEYRING,
    );
    expect(() => verifyHoldClaims(early, TEST_KEYRING, { saleId: "sale-1", now, acceptExpired: true })).toThrow(
      expect.objectContaining({ code: "token_not_yet_valid" }),
    );
  });
});

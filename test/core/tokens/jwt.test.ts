import { createHmac } from "node:crypto";

import { describe, expect, it } from "vitest";

import { MAX_TOKEN_LENGTH, signToken, TokenError, verifyToken, type Keyring, type TokenClaims } from "../../../app/core/tokens/index.ts";
import { withTamperedSignature } from "../../support/holdTokens.ts";

const NOW_MS = Date.UTC(2026, 10, 28, 12);
const NOW = NOW_MS / 1000;
const keyA = { kid: "kaaaaaaaa", secret: Buffer.alloc(32, 1) };
const keyB = { kid: "kbbbbbbbb", secret: Buffer.alloc(32, 2) };
const keyring: Keyring = { current: keyA, previous: [] };
const ticket = (extra: Partial<TokenClaims> = {}): TokenClaims => ({ typ: "ticket", iat: NOW, sale: "s1", n: 42, ...extra });

const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
/** An independent HS256 signer, to forge tokens with headers and payloads signToken would never write. */
function forge(header: unknown, payload: unknown, secret = keyA.secret): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
  throw new Error("expected a TokenError");
}

const verifyTicket = (token: string, ring = keyring, now = NOW_MS) => verifyToken(token, ring, { type: "ticket", now });

describe("signToken / verifyToken", () => {
  it("writes a standard HS256 JWT with the key id that any JWT library could check", () => {
    const token = signToken(ticket(), keyring);
    expect(token).toBe(forge({ alg: "HS256", typ: "JWT", kid: "kaaaaaaaa" }, ticket()));
    expect(verifyTicket(token)).toEqual(ticket());
  });

  it("signs with the current key and still accepts keys that were rotated into previous", () => {
    const before = signToken(ticket(), keyring);
    const rotated: Keyring = { current: keyB, previous: [keyA] };
    const after = signToken(ticket(), rotated);
    expect(JSON.parse(Buffer.from(after.split(".")[0] ?? "", "base64url").toString())).toMatchObject({ kid: "kbbbbbbbb" });
    expect(verifyTicket(before, rotated)).toMatchObject({ n: 42 });
    expect(verifyTicket(after, rotated)).toMatchObject({ n: 42 });
    expect(codeOf(() => verifyTicket(before, { current: keyB, previous: [] }))).toBe("token_unknown_key");
    expect(codeOf(() => verifyTicket(after, keyring))).toBe("token_unknown_key");
  });

  it("refuses a changed payload, a changed signature and a right kid with the wrong secret", () => {
    const [header, , signature] = signToken(ticket(), keyring).split(".");
    expect(codeOf(() => verifyTicket(`${header}.${b64(ticket({ n: 1 }))}.${signature}`))).toBe("token_bad_signature");
    const flipped = `${signature?.slice(0, 10)}${signature?.[10] === "A" ? "B" : "A"}${signature?.slice(11)}`;
    expect(codeOf(() => verifyTicket(`${header}.${b64(ticket())}.${flipped}`))).toBe("token_bad_signature");
    const impostor = forge({ alg: "HS256", typ: "JWT", kid: keyA.kid }, ticket(), Buffer.alloc(32, 9));
    expect(codeOf(() => verifyTicket(impostor))).toBe("token_bad_signature");
    expect(codeOf(() => verifyTicket(`${header}.${b64(ticket())}.${signature?.slice(0, -1)}`))).toBe("token_bad_signature");
  });

  it("refuses another spelling of the same signature bytes, so a spent token cannot come back disguised", () => {
    const token = signToken(ticket(), keyring);
    const signature = token.slice(token.lastIndexOf(".") + 1);
    // The last of 43 characters carries two padding bits: flipping the lowest bit keeps the bytes.
    const last = signature.at(-1) ?? "";
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = signature.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    expect(Buffer.from(twin, "base64url")).toEqual(Buffer.from(signature, "base64url"));
    expect(codeOf(() => verifyTicket(token.slice(0, token.lastIndexOf(".") + 1) + twin))).toBe("token_bad_signature");
  });

  it("refuses alg none, other algorithms, a missing kid and critical extensions, even when correctly signed", () => {
    expect(codeOf(() => verifyTicket(`${b64({ alg: "none", kid: keyA.kid })}.${b64(ticket())}.`))).toBe("token_malformed");
    expect(codeOf(() => verifyTicket(forge({ alg: "none", kid: keyA.kid }, ticket())))).toBe("token_malformed");
    expect(codeOf(() => verifyTicket(forge({ alg: "HS512", kid: keyA.kid }, ticket())))).toBe("token_malformed");
    expect(codeOf(() => verifyTicket(forge({ alg: "hs256", kid: keyA.kid }, ticket())))).toBe("token_malformed");
    expect(codeOf(() => verifyTicket(forge({ alg: "HS256" }, ticket())))).toBe("token_malformed");
    expect(codeOf(() => verifyTicket(forge({ alg: "HS256", kid: 7 }, ticket())))).toBe("token_malformed");
    expect(codeOf(() => verifyTicket(forge({ alg: "HS256", kid: keyA.kid, crit: ["exp"] }, ticket())))).toBe("token_malformed");
    expect(verifyTicket(forge({ alg: "HS256", kid: keyA.kid }, ticket()))).toEqual(ticket());
  });

  it("refuses input that is not three base64url segments", () => {
    const token = signToken(ticket(), keyring);
    for (const bad of ["", "abc", "a.b", `${token}.x`, `${token} `, `${token}=`, token.replace(".", ".."), `é${token}`]) {
      expect(
        codeOf(() => verifyTicket(bad)),
        JSON.stringify(bad),
      ).toBe("token_malformed");
    }
    expect(codeOf(() => verifyToken(42 as unknown as string, keyring, { type: "ticket", now: NOW_MS }))).toBe("token_malformed");
  });

  it("refuses correctly signed payloads that are not JSON objects with typ and iat", () => {
    const header = { alg: "HS256", typ: "JWT", kid: keyA.kid };
    for (const payload of [
      "not json",
      "[1,2]",
      "null",
      { iat: NOW },
      { typ: "ticket" },
      { typ: "ticket", iat: "now" },
      { typ: "ticket", iat: NOW, exp: null },
    ]) {
      expect(
        codeOf(() => verifyTicket(forge(header, payload))),
        JSON.stringify(payload),
      ).toBe("token_malformed");
    }
  });

  it("refuses tokens longer than the limit even when the signature is valid", () => {
    const padded = (length: number) => ticket({ pad: "x".repeat(length) });
    const fitting = signToken(padded(1000), keyring);
    expect(fitting.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
    expect(verifyTicket(fitting)).toMatchObject({ n: 42 });
    const tooLong = signToken(padded(3200), keyring);
    expect(tooLong.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    expect(codeOf(() => verifyTicket(tooLong))).toBe("token_malformed");
  });

  it("refuses a token of another type", () => {
    const pass = signToken({ typ: "pass", iat: NOW }, keyring);
    expect(codeOf(() => verifyTicket(pass))).toBe("token_wrong_type");
    expect(verifyToken(pass, keyring, { type: "pass", now: NOW_MS })).toEqual({ typ: "pass", iat: NOW });
  });

  it("expires exactly at exp and becomes valid exactly at nbf", () => {
    const token = signToken(ticket({ nbf: NOW + 10, exp: NOW + 60 }), keyring);
    expect(codeOf(() => verifyTicket(token, keyring, NOW_MS + 9_999))).toBe("token_not_yet_valid");
    expect(verifyTicket(token, keyring, NOW_MS + 10_000)).toMatchObject({ exp: NOW + 60 });
    expect(verifyTicket(token, keyring, NOW_MS + 59_999)).toMatchObject({ exp: NOW + 60 });
    expect(codeOf(() => verifyTicket(token, keyring, NOW_MS + 60_000))).toBe("token_expired");
  });

  it("applies the leeway to both ends and defaults now to the system clock", () => {
    const token = signToken(ticket({ nbf: NOW + 10, exp: NOW + 60 }), keyring);
    const withLeeway = (now: number) => verifyToken(token, keyring, { type: "ticket", now, leewaySeconds: 2 });
    expect(withLeeway(NOW_MS + 8_000)).toMatchObject({ n: 42 });
    expect(codeOf(() => withLeeway(NOW_MS + 7_999))).toBe("token_not_yet_valid");
    expect(withLeeway(NOW_MS + 61_999)).toMatchObject({ n: 42 });
    expect(codeOf(() => withLeeway(NOW_MS + 62_000))).toBe("token_expired");
    const wallClock = Math.floor(Date.now() / 1000);
    const live = signToken({ typ: "ticket", iat: wallClock, exp: wallClock + 60 }, keyring);
    expect(verifyToken(live, keyring, { type: "ticket" })).toMatchObject({ typ: "ticket" });
    const lapsed = signToken({ typ: "ticket", iat: wallClock - 60, exp: wallClock - 1 }, keyring);
    expect(codeOf(() => verifyToken(lapsed, keyring, { type: "ticket" }))).toBe("token_expired");
  });

  it("never quotes the token in an error message", () => {
    const token = signToken(ticket(), keyring);
    const tampered = withTamperedSignature(token);
    expect(() => verifyTicket(tampered)).toThrow(TokenError);
    try {
      verifyTicket(tampered);
    } catch (error) {
      expect((error as Error).message).not.toContain(tampered.slice(0, 20));
    }
  });

  it("fails loudly when the issuer passes claims a verifier would refuse", () => {
    expect(() => signToken({ typ: "", iat: NOW }, keyring)).toThrow(TypeError);
    expect(() => signToken({ typ: "ticket", iat: NOW + 0.5 }, keyring)).toThrow(/iat/);
    expect(() => signToken({ typ: "ticket", iat: NOW, exp: -1 }, keyring)).toThrow(/exp/);
    expect(() => signToken({ typ: "ticket", iat: NOW, nbf: Number.NaN }, keyring)).toThrow(/nbf/);
  });
});

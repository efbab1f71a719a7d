import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { newKeyring, newSigningKey, open, openKeyring, rotate, seal, sealKeyring, SecretsError } from "../../../app/core/secrets/index.ts";
import { signToken, verifyToken } from "../../../app/core/tokens/index.ts";

const masterKey = randomBytes(32);

describe("signing keys", () => {
  it("makes random keys with a short kid and a 32-byte secret", () => {
    const key = newSigningKey();
    expect(key.kid).toMatch(/^k[0-9a-f]{8}$/);
    expect(key.secret).toHaveLength(32);
    expect(newSigningKey().secret.equals(key.secret)).toBe(false);
    expect(newKeyring().previous).toEqual([]);
  });

  it("rotates the current key into previous and keeps at most two previous keys", () => {
    const first = newKeyring();
    const second = rotate(first);
    const third = rotate(second);
    const fourth = rotate(third);
    expect(second.previous).toEqual([first.current]);
    expect(third.previous).toEqual([second.current, first.current]);
    expect(fourth.previous).toEqual([third.current, second.current]);
    expect(new Set([first, second, third, fourth].map((ring) => ring.current.kid)).size).toBe(4);
    expect(first.previous).toEqual([]);
  });

  it("keeps tokens verifying through two rotations and stops at the third", () => {
    const keyring = newKeyring();
    const token = signToken({ typ: "pass", iat: 1 }, keyring);
    const verify = (ring: typeof keyring) => () => verifyToken(token, ring, { type: "pass", now: 1_000 });
    expect(verify(rotate(rotate(keyring)))).not.toThrow();
    expect(verify(rotate(rotate(rotate(keyring))))).toThrow(expect.objectContaining({ code: "token_unknown_key" }));
  });

  it("seals a keyring for the Store row and opens it back", () => {
    const keyring = rotate(rotate(newKeyring()));
    const sealed = sealKeyring(keyring, masterKey);
    expect(sealed.startsWith("v1.")).toBe(true);
    expect(sealed).not.toContain(keyring.current.kid);
    expect(openKeyring(sealed, masterKey)).toEqual(keyring);
  });

  it("does not open a keyring as anything else, nor anything else as a keyring", () => {
    const sealed = sealKeyring(newKeyring(), masterKey);
    expect(() => open(sealed, masterKey)).toThrow(expect.objectContaining({ code: "sealed_tampered" }));
    expect(() => openKeyring(seal({ current: "x" }, masterKey), masterKey)).toThrow(expect.objectContaining({ code: "sealed_tampered" }));
    expect(() => openKeyring(sealed, randomBytes(32))).toThrow(SecretsError);
  });

  it("refuses sealed keyrings with short secrets or too many previous keys", () => {
    const context = "holdfast:signing-keys";
    const key = (secretBytes: number) => ({ kid: "kabc", secret: randomBytes(secretBytes).toString("base64url") });
    const shortSecret = seal({ v: 1, current: key(16), previous: [] }, masterKey, context);
    const tooMany = seal({ v: 1, current: key(32), previous: [key(32), key(32), key(32)] }, masterKey, context);
    expect(() => openKeyring(shortSecret, masterKey)).toThrow(expect.objectContaining({ code: "sealed_malformed" }));
    expect(() => openKeyring(tooMany, masterKey)).toThrow(expect.objectContaining({ code: "sealed_malformed" }));
    expect(openKeyring(seal({ v: 1, current: key(32), previous: [] }, masterKey, context), masterKey).current.kid).toBe("kabc");
  });
});

import { createHash, randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { sessionBinding } from "../../../app/core/tokens/index.ts";

describe("sessionBinding", () => {
  it("is the first 16 bytes of SHA-256, base64url, so PHP can compute the same value", () => {
    // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223 b00361a3...
    expect(sessionBinding("abc")).toBe("ungWv48Bz-pBQUDeXa4iIw");
  });

  it("equals the 16-byte digest prefix encoded on its own, whatever the digest's 17th byte", () => {
    // The last character is where a shortcut over the whole digest's text could differ.
    for (let n = 0; n < 2_000; n++) {
      const session = randomBytes(18).toString("base64url");
      expect(sessionBinding(session)).toBe(createHash("sha256").update(session).digest().subarray(0, 16).toString("base64url"));
    }
  });

  it("is stable per session, distinct across sessions and does not contain the session id", () => {
    const session = "sess_4f9a1c2d7e";
    expect(sessionBinding(session)).toBe(sessionBinding(session));
    expect(sessionBinding(session)).not.toBe(sessionBinding(`${session}x`));
    expect(sessionBinding(session)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sessionBinding(session)).not.toContain("4f9a");
  });
});

import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { open, openJson, seal, SecretsError } from "../../../app/core/secrets/index.ts";

const masterKey = randomBytes(32);

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof SecretsError) return error.code;
    throw error;
  }
  throw new Error("expected a SecretsError");
}

/** Changes one character of one dot-separated part, keeping the base64url alphabet. */
function alter(sealed: string, partIndex: number): string {
  const parts = sealed.split(".");
  const part = parts[partIndex] ?? "";
  parts[partIndex] = `${part[0] === "A" ? "B" : "A"}${part.slice(1)}`;
  return parts.join(".");
}

describe("seal / open", () => {
  it("round-trips text and objects, and hides the plaintext", () => {
    const sealed = seal("shpat_0123456789 — ünïcode", masterKey);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("shpat");
    expect(open(sealed, masterKey)).toBe("shpat_0123456789 — ünïcode");
    expect(openJson(seal({ consumerKey: "ck_1", nested: [1, 2] }, masterKey), masterKey)).toEqual({ consumerKey: "ck_1", nested: [1, 2] });
    expect(open(seal("", masterKey), masterKey)).toBe("");
  });

  it("uses a fresh IV every time", () => {
    const first = seal("same", masterKey);
    const second = seal("same", masterKey);
    expect(first.split(".")[1]).not.toBe(second.split(".")[1]);
    expect(first).not.toBe(second);
  });

  it("detects a change to the IV, the tag or the ciphertext", () => {
    const sealed = seal("credentials", masterKey);
    for (const part of [1, 2, 3])
      expect(
        codeOf(() => open(alter(sealed, part), masterKey)),
        `part ${part}`,
      ).toBe("sealed_tampered");
  });

  it("refuses another master key and another context", () => {
    const sealed = seal("credentials", masterKey, "credentials:store-1");
    expect(open(sealed, masterKey, "credentials:store-1")).toBe("credentials");
    expect(codeOf(() => open(sealed, randomBytes(32), "credentials:store-1"))).toBe("sealed_tampered");
    expect(codeOf(() => open(sealed, masterKey, "credentials:store-2"))).toBe("sealed_tampered");
    expect(codeOf(() => open(sealed, masterKey))).toBe("sealed_tampered");
  });

  it("refuses values that are not in the v1 format", () => {
    const [, iv, tag, body] = seal("x", masterKey).split(".");
    for (const bad of [
      "",
      "v1",
      `v2.${iv}.${tag}.${body}`,
      `v1.${iv}.${tag}`,
      `v1.${iv}.${tag}.${body}.x`,
      `v1.${iv}A.${tag}.${body}`,
      `v1.${iv}.${tag?.slice(1)}.${body}`,
      `v1.${iv}.${tag}.${body}=`,
      `v1.${iv}.${tag}.${body}+`,
    ]) {
      expect(
        codeOf(() => open(bad, masterKey)),
        bad,
      ).toBe("sealed_malformed");
    }
    expect(codeOf(() => openJson(seal("not json", masterKey), masterKey))).toBe("sealed_malformed");
  });

  it("refuses a master key of the wrong size", () => {
    expect(codeOf(() => seal("x", randomBytes(16)))).toBe("master_key_invalid");
    expect(codeOf(() => open(seal("x", masterKey), randomBytes(31)))).toBe("master_key_invalid");
  });

  it("never puts the plaintext or the key in an error message", () => {
    const sealed = seal("hunter2-secret", masterKey);
    for (const run of [() => open(alter(sealed, 3), masterKey), () => open(sealed, randomBytes(32))]) {
      expect(run).toThrow(SecretsError);
      try {
        run();
      } catch (error) {
        expect((error as Error).message).not.toMatch(/hunter2/);
        expect((error as Error).message).not.toContain(masterKey.toString("base64"));
      }
    }
  });
});

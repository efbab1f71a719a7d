import { createHash, createHmac, randomBytes, randomInt } from "node:crypto";

import { describe, expect, it } from "vitest";

import { base64UrlDecode, base64UrlEncode, hmacSha256, sha256, utf8Decode, utf8Encode } from "../../../extensions/checkout-gate/src/hmac.ts";

// Lengths around the 64-byte block and the 55/56-byte padding edge, then random ones.
const LENGTHS = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, ...Array.from({ length: 300 }, () => randomInt(0, 4096))];

describe("the checkout gate's plain-JS crypto agrees with node:crypto", () => {
  it("SHA-256 on empty, block-edge and random inputs", () => {
    for (const length of LENGTHS) {
      const data = randomBytes(length);
      expect(Buffer.from(sha256(data)).toString("hex"), `length ${length}`).toBe(createHash("sha256").update(data).digest("hex"));
    }
  });

  it("HMAC-SHA256 with short, block-sized and long keys", () => {
    for (const length of LENGTHS) {
      const key = randomBytes([0, 1, 32, 63, 64, 65, 200][length % 7] as number);
      const data = randomBytes(length);
      expect(Buffer.from(hmacSha256(key, data)).toString("hex"), `key ${key.length}, data ${length}`).toBe(
        createHmac("sha256", key).update(data).digest("hex"),
      );
    }
  });

  it("base64url both ways, and refuses what is not base64url", () => {
    for (const length of LENGTHS) {
      const data = randomBytes(length);
      const text = data.toString("base64url");
      expect(base64UrlEncode(data)).toBe(text);
      expect(Buffer.from(base64UrlDecode(text) as Uint8Array).equals(data)).toBe(true);
    }
    expect(base64UrlDecode("ab+c")).toBeNull();
    expect(base64UrlDecode("abc=")).toBeNull();
    expect(base64UrlDecode("a")).toBeNull();
    expect(base64UrlDecode("é")).toBeNull();
  });

  it("UTF-8 both ways, and refuses malformed bytes", () => {
    for (const text of ["", "hold", "Grüße", "日本語", "emoji 🎉 ok", String.fromCharCode(...Array.from({ length: 200 }, () => randomInt(32, 0xd7ff)))]) {
      expect(Buffer.from(utf8Encode(text)).equals(Buffer.from(text, "utf8"))).toBe(true);
      expect(utf8Decode(Buffer.from(text, "utf8"))).toBe(text);
    }
    expect(utf8Decode(new Uint8Array([0xc3]))).toBeNull();
    expect(utf8Decode(new Uint8Array([0xc0, 0x80]))).toBeNull();
    expect(utf8Decode(new Uint8Array([0xed, 0xa0, 0x80]))).toBeNull();
    expect(utf8Decode(new Uint8Array([0xff]))).toBeNull();
  });
});

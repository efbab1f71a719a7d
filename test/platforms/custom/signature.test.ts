import { describe, expect, it } from "vitest";

import { customSignatureHeaders, signCustomPayload, verifyCustomSignature } from "../../../app/platforms/custom/index.ts";

const secret = "whsec_test_0123456789";
const now = Date.UTC(2026, 10, 28, 12);
const body = JSON.stringify({ id: "stock:1", type: "stock.updated", data: { items: [{ ref: "sku-1", available: 3 }] } });

describe("custom store signatures", () => {
  it("signs <timestamp>.<raw body> with HMAC-SHA256 as sha256=<hex>", () => {
    const headers = customSignatureHeaders(secret, body, now);
    const timestamp = now / 1000;
    expect(headers).toEqual({ "X-Holdfast-Timestamp": String(timestamp), "X-Holdfast-Signature": signCustomPayload(secret, timestamp, body) });
    expect(headers["X-Holdfast-Signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it("verifies from Node's lower-case headers, any casing, a fetch Headers and a Buffer body", () => {
    const headers = customSignatureHeaders(secret, body, now);
    const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    expect(verifyCustomSignature(body, lower, secret, now)).toEqual({ ok: true, timestamp: now / 1000 });
    expect(verifyCustomSignature(body, headers, secret, now).ok).toBe(true);
    expect(verifyCustomSignature(Buffer.from(body), new Headers(headers), secret, now).ok).toBe(true);
  });

  it("refuses a tampered body, a wrong secret and a forged signature", () => {
    const headers = customSignatureHeaders(secret, body, now);
    expect(verifyCustomSignature(body.replace('"available":3', '"available":300'), headers, secret, now)).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifyCustomSignature(body, headers, "whsec_other", now)).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifyCustomSignature(body, { ...headers, "X-Holdfast-Signature": `sha256=${"0".repeat(64)}` }, secret, now).ok).toBe(false);
    // Moving the timestamp breaks the signature too: it is part of what was signed.
    expect(verifyCustomSignature(body, { ...headers, "X-Holdfast-Timestamp": String(now / 1000 + 1) }, secret, now)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("refuses stale and future timestamps outside the tolerance", () => {
    const old = customSignatureHeaders(secret, body, now - 301_000);
    const future = customSignatureHeaders(secret, body, now + 301_000);
    expect(verifyCustomSignature(body, old, secret, now)).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(verifyCustomSignature(body, future, secret, now)).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(verifyCustomSignature(body, customSignatureHeaders(secret, body, now - 299_000), secret, now).ok).toBe(true);
    expect(verifyCustomSignature(body, old, secret, now, 600).ok).toBe(true);
  });

  it("says when headers are missing or malformed", () => {
    expect(verifyCustomSignature(body, {}, secret, now)).toEqual({ ok: false, reason: "missing_headers" });
    expect(verifyCustomSignature(body, { "x-holdfast-timestamp": "abc", "x-holdfast-signature": "sha256=00" }, secret, now)).toEqual({
      ok: false,
      reason: "malformed",
    });
    const headers = customSignatureHeaders(secret, body, now);
    expect(
      verifyCustomSignature(body, { ...headers, "X-Holdfast-Signature": headers["X-Holdfast-Signature"]?.replace("sha256=", "sha1=") ?? "" }, secret, now),
    ).toEqual({ ok: false, reason: "malformed" });
  });

  it("accepts any of several secrets while one is being rotated", () => {
    const headers = customSignatureHeaders("whsec_new", body, now);
    expect(verifyCustomSignature(body, headers, ["whsec_old", "whsec_new"], now).ok).toBe(true);
    expect(verifyCustomSignature(body, headers, ["whsec_old"], now).ok).toBe(false);
  });
});

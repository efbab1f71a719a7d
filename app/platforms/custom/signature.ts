import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * How Holdfast signs what it sends to a custom store, and how the store checks it.
 *
 *   X-Holdfast-Timestamp: <unix seconds>
 *   X-Holdfast-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<payload>")>
 *
 * The payload is the raw request body for a POST, and the raw query string (without "?") for a
 * GET. Verify against the bytes received, before any JSON parsing. The timestamp bounds replay to
 * the tolerance window; inside it, deduplicate by the `Idempotency-Key` header.
 */

export const TIMESTAMP_HEADER = "X-Holdfast-Timestamp";
export const SIGNATURE_HEADER = "X-Holdfast-Signature";
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type SignedPayload = string | Uint8Array;

/** Plain header records (Node's IncomingHttpHeaders, any casing) or a fetch `Headers`. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export type CustomSignatureCheck =
  { ok: true; timestamp: number } | { ok: false; reason: "missing_headers" | "malformed" | "stale_timestamp" | "bad_signature" };

function hmacHex(secret: string, timestamp: number, payload: SignedPayload): string {
  return createHmac("sha256", secret)
    .update(`${timestamp}.`)
    .update(typeof payload === "string" ? Buffer.from(payload, "utf8") : payload)
    .digest("hex");
}

/** The value of the X-Holdfast-Signature header for this payload. */
export function signCustomPayload(secret: string, timestampSeconds: number, payload: SignedPayload): string {
  return `sha256=${hmacHex(secret, timestampSeconds, payload)}`;
}

/** Timestamp and signature headers for a payload sent now. */
export function customSignatureHeaders(secret: string, payload: SignedPayload, nowMs: number): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signCustomPayload(secret, timestamp, payload) };
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function" && typeof (headers as Headers).has === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (key.toLowerCase() !== wanted) continue;
    return typeof value === "string" ? value : value?.[0];
  }
  return undefined;
}

/**
 * Checks a request Holdfast signed. `secret` may list several secrets while one is being rotated.
 * Rejects a timestamp more than `toleranceSeconds` away from `nowMs` in either direction, and
 * compares signatures in constant time.
 */
export function verifyCustomSignature(
  rawBody: SignedPayload,
  headers: HeaderSource,
  secret: string | readonly string[],
  nowMs: number,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): CustomSignatureCheck {
  const timestampText = header(headers, TIMESTAMP_HEADER)?.trim();
  const signatureText = header(headers, SIGNATURE_HEADER)?.trim();
  if (!timestampText || !signatureText) return { ok: false, reason: "missing_headers" };
  const signature = /^sha256=([0-9a-f]{64})$/i.exec(signatureText)?.[1]?.toLowerCase();
  if (!/^\d{1,12}$/.test(timestampText) || !signature) return { ok: false, reason: "malformed" };
  const timestamp = Number(timestampText);
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: "stale_timestamp" };

  const given = Buffer.from(signature, "hex");
  let matched = false;
  for (const candidate of typeof secret === "string" ? [secret] : secret) {
    const expected = Buffer.from(hmacHex(candidate, timestamp, rawBody), "hex");
    // Check every secret, so the time taken does not say which one matched.
    if (timingSafeEqual(expected, given)) matched = true;
  }
  return matched ? { ok: true, timestamp } : { ok: false, reason: "bad_signature" };
}

import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * How Shopify (X-Shopify-Hmac-Sha256) and WooCommerce (X-WC-Webhook-Signature) both sign a
 * webhook: base64 HMAC-SHA256 of the raw body with the shared secret. Checked on the bytes
 * received, before any parsing, in constant time.
 */
export function webhookSignatureMatches(header: string | string[] | null | undefined, raw: Buffer, secret: string): boolean {
  if (typeof header !== "string" || !/^[A-Za-z0-9+/]{43}=$/.test(header)) return false;
  const expected = createHmac("sha256", secret).update(raw).digest();
  return timingSafeEqual(Buffer.from(header, "base64"), expected);
}

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * OAuth 1.0a "one-legged" as WooCommerce checks it over plain HTTP
 * (WC_REST_Authentication::check_oauth_signature): the consumer key/secret only, no token; the
 * oauth_* parameters in the query string (or an `Authorization: OAuth` header); the signature is
 * base64(HMAC-SHA1 or HMAC-SHA256) with key `<consumer secret>&` over
 *   METHOD & rawurlencode(<home URL><path>) & rawurlencode-joined sorted parameters
 * where each parameter is rawurlencode(rawurlencode(key) "=" rawurlencode(value)) and the pairs are
 * joined with "%26". The base URL is the site's home URL, not the Host header, which is why a
 * client that signs "localhost" fails against a site configured as "127.0.0.1".
 */

export const OAUTH_REQUIRED = ["oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"] as const;

/** PHP's rawurlencode (RFC 3986): everything but A-Z a-z 0-9 - _ . ~ is encoded. */
export function rawUrlEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function signatureBaseString(method: string, baseUrl: string, params: ReadonlyMap<string, string>): string {
  const keys = [...params.keys()].filter((key) => key !== "oauth_signature").sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const joined = keys.map((key) => rawUrlEncode(`${rawUrlEncode(key)}=${rawUrlEncode(params.get(key) ?? "")}`)).join("%26");
  return `${method.toUpperCase()}&${rawUrlEncode(baseUrl)}&${joined}`;
}

export function oauthSignature(algorithm: "HMAC-SHA1" | "HMAC-SHA256", consumerSecret: string, baseString: string): string {
  return createHmac(algorithm === "HMAC-SHA1" ? "sha1" : "sha256", `${consumerSecret}&`)
    .update(baseString)
    .digest("base64");
}

export function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SignOptions {
  method: string;
  /** Full URL, with any query parameters that are part of the request. */
  url: string;
  consumerKey: string;
  consumerSecret: string;
  signatureMethod?: "HMAC-SHA1" | "HMAC-SHA256" | "PLAINTEXT";
  timestamp?: number;
  nonce?: string;
  /** The base URL to sign, when a test wants to sign another host than the one it calls. */
  signedBaseUrl?: string;
}

/** Tests' own signer: returns the URL with the oauth_* parameters appended. */
export function signUrl(options: SignOptions): string {
  const url = new URL(options.url);
  const method = options.signatureMethod ?? "HMAC-SHA1";
  url.searchParams.set("oauth_consumer_key", options.consumerKey);
  url.searchParams.set("oauth_nonce", options.nonce ?? randomBytes(16).toString("hex"));
  url.searchParams.set("oauth_signature_method", method);
  url.searchParams.set("oauth_timestamp", String(options.timestamp ?? Math.floor(Date.now() / 1000)));
  url.searchParams.set("oauth_version", "1.0");
  const params = new Map(url.searchParams);
  const base = signatureBaseString(options.method, options.signedBaseUrl ?? `${url.origin}${url.pathname}`, params);
  const signature = method === "PLAINTEXT" ? `${options.consumerSecret}&` : oauthSignature(method, options.consumerSecret, base);
  url.searchParams.set("oauth_signature", signature);
  return url.toString();
}

import { hash } from "node:crypto";

/**
 * What a ticket or pass carries to tie it to one shopper session: the first 16 bytes of
 * SHA-256 of the session id, base64url (22 characters). The token then proves "issued to this
 * session" without revealing the session id to anyone who sees the token. It is unkeyed on
 * purpose, so the WordPress plugin can compute the same value in PHP.
 */
export function sessionBinding(sessionId: string): string {
  // Every join and hold computes one. The one-shot hash skips the Hash object createHash would
  // build, and asking it for text skips a Buffer too: 0.84 µs against 2.70 µs for
  // `hash(..., "buffer").subarray(0, 16).toString("base64url")` in bench/storefront/steps.ts.
  const digest = hash("sha256", sessionId, "base64url");
  // 16 bytes are 21 characters and 2 bits over. The 22nd character of the whole digest carries
  // those 2 bits and 4 of byte 17; keeping only the top two gives 16 bytes' own encoding.
  return digest.slice(0, 21) + BASE64URL[BASE64URL.indexOf(digest.charAt(21)) & 0b110000];
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

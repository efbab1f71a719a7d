import { hash } from "node:crypto";

/**
 * What a ticket or pass carries to tie it to one shopper session: the first 16 bytes of
 * SHA-256 of the session id, base64url (22 characters). The token then proves "issued to this
 * session" without revealing the session id to anyone who sees the token. It is unkeyed on
 * purpose, so the WordPress plugin can compute the same value in PHP.
 */
export function sessionBinding(sessionId: string): string {
  // The one-shot hash (a string is hashed as UTF-8): every join and hold computes one, and it
  // skips the Hash object createHash would build and drop for a 30-byte input.
  return hash("sha256", sessionId, "buffer").subarray(0, 16).toString("base64url");
}

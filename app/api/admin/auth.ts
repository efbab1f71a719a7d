import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

import { HttpError } from "../HttpError.ts";

/** The shortest admin token accepted, here and in resolveAdminToken. */
export const MIN_ADMIN_TOKEN_LENGTH = 24;

// Hashing first gives both sides the same length, so the comparison takes the same time
// whatever the caller sent, and timingSafeEqual never throws on a length mismatch.
const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** A check that a request carries `Authorization: Bearer <adminToken>`; throws 401 otherwise. */
export function bearerGuard(adminToken: string): (req: IncomingMessage) => void {
  if (adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new Error(`the admin token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  const expected = digest(adminToken);
  return (req) => {
    const given = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? "")?.[1];
    if (given === undefined) {
      throw new HttpError(401, "unauthorized", "Send the admin token as `Authorization: Bearer <token>`.", {
        "www-authenticate": 'Bearer realm="holdfast-admin"',
      });
    }
    if (!timingSafeEqual(digest(given), expected)) {
      throw new HttpError(401, "unauthorized", "The admin token is not valid; use HOLDFAST_ADMIN_TOKEN, or the token file npm start names.", {
        "www-authenticate": 'Bearer realm="holdfast-admin", error="invalid_token"',
      });
    }
  };
}

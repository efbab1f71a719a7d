import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import { HttpError } from "../HttpError.ts";

export const SESSION_HEADER = "x-holdfast-session";
export const SESSION_COOKIE = "hf_sid";
const SESSION_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** The shopper's session id: the X-Holdfast-Session header (headless, widget) or the cookie. */
export function sessionOf(req: IncomingMessage): string | null {
  const header = req.headers[SESSION_HEADER];
  if (typeof header === "string") {
    if (!SESSION_PATTERN.test(header)) {
      throw new HttpError(400, "invalid_session", "X-Holdfast-Session must be 16-128 characters of A-Z, a-z, 0-9, '_' or '-'.");
    }
    return header;
  }
  const cookies = req.headers.cookie;
  if (!cookies) return null;
  for (const part of cookies.split(";")) {
    const [name, value] = part.trim().split("=", 2);
    if (name === SESSION_COOKIE && value && SESSION_PATTERN.test(value)) return value;
  }
  return null;
}

export function requireSession(req: IncomingMessage): string {
  const session = sessionOf(req);
  if (!session) {
    throw new HttpError(400, "session_required", "Send the shopper session from joining (X-Holdfast-Session header or hf_sid cookie).");
  }
  return session;
}

/** Joining is where a session begins: a shopper without one gets one, as header value and cookie. */
export function sessionForJoin(req: IncomingMessage, res: ServerResponse): string {
  const existing = sessionOf(req);
  if (existing) return existing;
  const session = randomBytes(18).toString("base64url");
  // SameSite=None so the widget can call us cross-site from the store's domain.
  res.setHeader("set-cookie", `${SESSION_COOKIE}=${session}; Path=/; Max-Age=86400; HttpOnly; Secure; SameSite=None`);
  return session;
}

export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header || !header.startsWith("Bearer ")) return null;
  return header.slice(7).trim() || null;
}

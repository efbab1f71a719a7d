import { createHmac, timingSafeEqual } from "node:crypto";

import { redirect } from "@remix-run/node";

/**
 * The standalone console signs in with the admin token (HOLDFAST_ADMIN_TOKEN or the
 * generated one). The cookie never holds the token: it holds an expiry and an HMAC of it
 * keyed by the token, so rotating the token signs every console out, and a stolen cookie
 * says nothing about the token. httpOnly, SameSite=Strict (no cross-site form can use it),
 * Secure whenever the console is served over https.
 */
export const CONSOLE_COOKIE = "hf_console";
const SESSION_MS = 12 * 3600 * 1000;

const mac = (token: string, expires: number) => createHmac("sha256", token).update(`holdfast-console:${expires}`).digest("base64url");

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function tokenMatches(given: string, adminToken: string): boolean {
  // Compare digests so the time taken says nothing about the token's length.
  return equal(mac(given, 0), mac(adminToken, 0));
}

function secure(request: Request): boolean {
  return new URL(request.url).protocol === "https:";
}

export function consoleCookie(request: Request, adminToken: string, now: number): string {
  const expires = now + SESSION_MS;
  const attributes = ["Path=/console", "HttpOnly", "SameSite=Strict", `Max-Age=${SESSION_MS / 1000}`, ...(secure(request) ? ["Secure"] : [])];
  return [`${CONSOLE_COOKIE}=${expires}.${mac(adminToken, expires)}`, ...attributes].join("; ");
}

export function clearedConsoleCookie(request: Request): string {
  return [`${CONSOLE_COOKIE}=`, "Path=/console", "HttpOnly", "SameSite=Strict", "Max-Age=0", ...(secure(request) ? ["Secure"] : [])].join("; ");
}

function cookieValue(request: Request): string | null {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === CONSOLE_COOKIE) return rest.join("=");
  }
  return null;
}

export function isSignedIn(request: Request, adminToken: string, now: number): boolean {
  const value = cookieValue(request);
  const match = value ? /^(\d{1,15})\.([\w-]{43})$/.exec(value) : null;
  if (!match) return false;
  const expires = Number(match[1]);
  return expires > now && equal(match[2] ?? "", mac(adminToken, expires));
}

/**
 * For every console loader and action (each checks on its own: a data request reaches a
 * child route's loader without its layout's). Not signed in: a document request goes to
 * the sign-in page, a fetch gets a JSON 401.
 */
export function requireConsole(request: Request, adminToken: string, now: number): void {
  if (isSignedIn(request, adminToken, now)) return;
  const url = new URL(request.url);
  const wantsJson = request.method !== "GET" || url.searchParams.has("_data") || url.pathname.endsWith(".data");
  if (wantsJson) {
    throw new Response(JSON.stringify({ error: { code: "unauthorized", message: "Your console session has ended: sign in again with the admin token." } }), {
      status: 401,
      headers: { "content-type": "application/json; charset=utf-8" },
    });
  }
  throw redirect(`/console/login?next=${encodeURIComponent(url.pathname)}`);
}

import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * State changes on the Remix side (console, embedded app, sign-in) come only from our own
 * pages. SameSite=Strict keeps other sites' requests from carrying the console cookie, but
 * not those of another origin on the same site (another port or subdomain of the host), and
 * Remix's own check covers document requests only (and answers 500). So every non-GET is
 * checked here, `?_data=` requests included, before Remix sees it:
 * - a browser says where the request comes from: Sec-Fetch-Site must be `same-origin`, and
 *   Origin (sent on every non-GET) must name this host;
 * - a request with neither header is not from a browser, so no page can have sent it with
 *   someone's cookie (Shopify's webhooks are such requests);
 * - the body must be one our forms send (JSON or url-encoded): text/plain and multipart are
 *   what a no-cors page can send, and nothing of ours reads them.
 */
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const FORM_TYPES = /^(application\/json|application\/x-www-form-urlencoded)\s*(;|$)/i;

export interface Refusal {
  status: 403 | 415;
  code: string;
  message: string;
}

export function crossOriginRefusal(req: IncomingMessage): Refusal | null {
  if (!STATE_CHANGING.has(req.method ?? "GET")) return null;
  const site = header(req, "sec-fetch-site");
  const origin = header(req, "origin");
  if ((site !== null && site !== "same-origin") || (origin !== null && hostOf(origin) !== ownHost(req))) {
    return { status: 403, code: "cross_origin_request", message: "This change must come from Holdfast's own pages; reload the page and try again." };
  }
  if (hasBody(req) && !FORM_TYPES.test(header(req, "content-type") ?? "")) {
    return { status: 415, code: "unsupported_media_type", message: "Send the form as JSON or URL-encoded, as Holdfast's pages do." };
  }
  return null;
}

/** Answers the refusal (JSON, like every error of ours); true when the request was refused. */
export function refuseCrossOrigin(req: IncomingMessage, res: ServerResponse): boolean {
  const refusal = crossOriginRefusal(req);
  if (!refusal) return false;
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  res.writeHead(refusal.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    connection: "close",
  });
  res.end(body);
  return true;
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" ? value : null;
}

/** The host the browser addressed: a proxy in front names it in X-Forwarded-Host (as Remix reads it). */
function ownHost(req: IncomingMessage): string | null {
  const forwarded = header(req, "x-forwarded-host")?.split(",", 1)[0]?.trim();
  return forwarded || header(req, "host");
}

function hostOf(origin: string): string | null {
  if (origin === "null") return null;
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

function hasBody(req: IncomingMessage): boolean {
  return Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
}

import type { IncomingMessage, ServerResponse } from "node:http";

import { sendError } from "./respond.ts";

/**
 * CORS for the storefront API, called before routing: the widget runs on the store's own
 * domain and calls this API cross-origin, with credentials. Only origins the policy allows
 * get CORS headers, and always as the exact origin, never `*` (which browsers refuse with
 * credentials anyway).
 *
 *   HOLDFAST_ALLOWED_ORIGINS  comma-separated origins allowed for every sale, e.g.
 *                             "https://shop.example.com,http://localhost:3000" (demo and tests).
 *                             Default: none.
 */
export const ALLOWED_ORIGINS_VARIABLE = "HOLDFAST_ALLOWED_ORIGINS";

export interface OriginPolicy {
  /** `saleId` is null for requests that are not about one sale. */
  isAllowed(origin: string, saleId: string | null): boolean | Promise<boolean>;
}

const ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE";
const ALLOW_HEADERS = "Authorization, Content-Type, X-Holdfast-Session, X-Holdfast-Pass, Idempotency-Key";
// Not on the CORS safelist, so the widget could not read when to retry a 429 without this.
const EXPOSE_HEADERS = "Retry-After";
const PREFLIGHT_MAX_AGE_SECONDS = "600";

/**
 * "answered": a preflight was answered (204, or 403 for an origin the policy refuses) and
 * the caller must stop. "continue": route the request as usual; CORS headers are already set
 * when the origin is allowed and left out when not, so the browser withholds the answer.
 * Requests without Origin are not cross-origin browser requests and are left untouched.
 * Rejects when the policy rejects.
 */
export async function applyCors(req: IncomingMessage, res: ServerResponse, policy: OriginPolicy, saleId: string | null): Promise<"answered" | "continue"> {
  const origin = req.headers.origin;
  if (!origin) return "continue";
  appendVaryOrigin(res);
  const allowed = await policy.isAllowed(origin, saleId);
  const isPreflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
  if (isPreflight && !allowed) {
    sendError(res, 403, "origin_not_allowed", `Requests from ${origin} are not allowed; the store must list it among its storefront origins.`);
    return "answered";
  }
  if (!allowed) return "continue";
  res.setHeader("access-control-allow-origin", origin);
  res.setHeader("access-control-allow-credentials", "true");
  if (!isPreflight) {
    res.setHeader("access-control-expose-headers", EXPOSE_HEADERS);
    return "continue";
  }
  res.writeHead(204, {
    "access-control-allow-methods": ALLOW_METHODS,
    "access-control-allow-headers": ALLOW_HEADERS,
    "access-control-max-age": PREFLIGHT_MAX_AGE_SECONDS,
  });
  res.end();
  return "answered";
}

/** The same fixed list for every sale. Entries are normalised; anything but an http(s) origin is refused. */
export function staticOriginPolicy(origins: readonly string[]): OriginPolicy {
  const allowed = new Set(origins.map(normaliseOrigin));
  return { isAllowed: (origin) => allowed.has(origin) };
}

export function originPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): OriginPolicy {
  const entries = (env[ALLOWED_ORIGINS_VARIABLE] ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return staticOriginPolicy(entries);
}

/** Browsers send origins lower-cased, without default port or trailing slash; config may not. */
function normaliseOrigin(entry: string): string {
  let url: URL | null = null;
  try {
    url = new URL(entry);
  } catch {
    // reported below
  }
  const isOriginOnly = url !== null && url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
  if (!url || !isOriginOnly || (url.protocol !== "https:" && url.protocol !== "http:") || entry.includes("*")) {
    throw new Error(`allowed origin "${entry}" must be scheme and host only, e.g. https://shop.example.com`);
  }
  return url.origin;
}

function appendVaryOrigin(res: ServerResponse): void {
  const current = res.getHeader("vary");
  const text = Array.isArray(current) ? current.join(", ") : current === undefined ? "" : String(current);
  if (text.split(",").some((name) => name.trim().toLowerCase() === "origin")) return;
  res.setHeader("vary", text ? `${text}, Origin` : "Origin");
}

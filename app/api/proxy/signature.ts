import { createHmac, timingSafeEqual } from "node:crypto";

import { HttpError } from "../HttpError.ts";

/** Shopify's allowance for clock skew between its proxy and us, as @shopify/shopify-api uses. */
export const PROXY_MAX_SKEW_SECONDS = 90;

/** Parameters Shopify's app proxy sets itself; each must appear once, or its meaning is ambiguous. */
const SHOPIFY_PARAMS = ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"] as const;

export interface VerifiedProxyRequest {
  /** The shop's myshopify domain, from the signed `shop` parameter. */
  shop: string;
  /** The logged-in customer's id, from the signed `logged_in_customer_id`; null for guests. */
  customerId: string | null;
}

/**
 * The signature Shopify puts on app-proxy requests: hex HMAC-SHA256 with the app's secret over
 * every other query parameter, `key=value` sorted by key and concatenated with no separator
 * (a repeated key's values joined with ","). Values are compared decoded, as Shopify signs them.
 */
export function proxySignature(params: URLSearchParams, secret: string): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  const message = [...grouped.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => `${key}=${(grouped.get(key) as string[]).join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * Checks an app-proxy request's query (constant-time), its freshness and Shopify's own
 * parameters; throws 401 with a code otherwise. The shop and customer are only ever taken
 * from here.
 */
export function verifyProxyQuery(query: URLSearchParams, secret: string, nowMs: number): VerifiedProxyRequest {
  const signature = query.getAll("signature");
  if (signature.length === 0 || signature[0] === "")
    throw unauthorized("proxy_signature_missing", "This address answers requests from the Shopify app proxy only (/apps/holdfast/...).");
  for (const name of SHOPIFY_PARAMS) {
    if (query.getAll(name).length > 1) throw unauthorized("proxy_param_repeated", `The parameter ${name} appears more than once.`);
  }
  const given = signature[0] as string;
  const expected = proxySignature(query, secret);
  if (!/^[0-9a-f]{64}$/i.test(given) || !timingSafeEqual(Buffer.from(given.toLowerCase(), "hex"), Buffer.from(expected, "hex"))) {
    throw unauthorized("proxy_signature_invalid", "The app-proxy signature does not match.");
  }
  const timestamp = Number(query.get("timestamp"));
  if (!Number.isSafeInteger(timestamp) || Math.abs(nowMs / 1_000 - timestamp) > PROXY_MAX_SKEW_SECONDS) {
    throw unauthorized("proxy_signature_stale", `The signed request is older than ${PROXY_MAX_SKEW_SECONDS} seconds (or from the future).`);
  }
  const shop = (query.get("shop") ?? "").toLowerCase();
  if (!SHOP_DOMAIN.test(shop)) throw unauthorized("proxy_shop_invalid", "The signed request names no shop.");
  const customer = query.get("logged_in_customer_id") ?? "";
  if (customer !== "" && !/^\d{1,20}$/.test(customer)) throw unauthorized("proxy_customer_invalid", "The signed customer id is malformed.");
  return { shop, customerId: customer === "" ? null : customer };
}

function unauthorized(code: string, message: string): HttpError {
  return new HttpError(401, code, message);
}

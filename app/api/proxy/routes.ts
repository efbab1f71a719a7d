import type { IncomingMessage } from "node:http";

import type { Clock } from "../../core/clock.ts";
import { unverifiedClaims } from "../../core/tokens/index.ts";
import { shopifyCustomerRef } from "../../platforms/shopify/webhooks.ts";
import { clientAddress } from "../clientAddress.ts";
import { HttpError } from "../HttpError.ts";
import { guardedByRedis } from "../redisGuard.ts";
import type { Handler, RequestContext, Route } from "../router.ts";
import { requireRoom, type StorefrontDeps } from "../storefront/deps.ts";
import { placeHold, releaseHold } from "../storefront/holds.ts";
import { saleStock } from "../storefront/stock.ts";
import { SESSION_HEADER } from "../storefront/session.ts";
import { queueStatus } from "../storefront/status.ts";
import { joinQueue } from "../storefront/tickets.ts";
import { markProxied, setVerifiedCustomer } from "./identity.ts";
import { verifyProxyQuery } from "./signature.ts";

export interface ProxyDeps {
  storefront: StorefrontDeps;
  /** The app's API secret (SHOPIFY_API_SECRET); null when the Shopify part is off. */
  apiSecret: string | null;
  /** The installed store of a myshopify domain, or null (unknown or uninstalled). */
  storeIdOfShop(shop: string): Promise<string | null>;
  clock: Clock;
}

/**
 * The storefront API behind Shopify's app proxy (/apps/holdfast/* -> /proxy/*), on the lean
 * path: the signature is checked first (nothing else happens for a forged, stale or ambiguous
 * request), the sale must belong to the signing shop's store, and a logged-in customer is the
 * per-customer-limit identity. The handlers are the storefront's own.
 */
export function proxyRoutes(deps: ProxyDeps): Route[] {
  const forSale =
    (handler: (storefront: StorefrontDeps, ctx: RequestContext) => unknown): Handler =>
    async (ctx) => {
      const storeId = await verify(deps, ctx);
      await requireSaleOfStore(deps.storefront, ctx.params.saleId as string, storeId);
      return handler(throughShopify(deps.storefront, ctx), ctx);
    };
  return guardedByRedis(
    [
      { method: "POST", path: "/proxy/sales/:saleId/tickets", handler: forSale(joinQueue) },
      { method: "GET", path: "/proxy/sales/:saleId/status", handler: forSale(queueStatus) },
      { method: "POST", path: "/proxy/sales/:saleId/holds", handler: forSale(placeHold) },
      { method: "GET", path: "/proxy/sales/:saleId/stock", handler: forSale(saleStock) },
      {
        method: "DELETE",
        path: "/proxy/holds/:holdId",
        handler: async (ctx) => {
          const storeId = await verify(deps, ctx);
          // The hold token names its sale; the sale must be this shop's (releaseHold verifies the token).
          const token = ctx.req.headers.authorization?.replace(/^Bearer\s+/, "") ?? "";
          const saleId = unverifiedClaims(token)?.s;
          if (typeof saleId === "string") await requireSaleOfStore(deps.storefront, saleId, storeId);
          return releaseHold(deps.storefront, ctx);
        },
      },
    ],
    deps.storefront.redisCircuit,
  );
}

/**
 * Every shopper reaches us from Shopify's proxy, so the connection's address (or the first
 * untrusted X-Forwarded-For hop) is Shopify's, shared by all. Shopify appends the shopper's
 * address to X-Forwarded-For; for a request whose signature checked out, that one hop is
 * trusted too, so per-address limits count shoppers, not Shopify.
 */
function throughShopify(storefront: StorefrontDeps, { req }: RequestContext): StorefrontDeps {
  const shopifyHop = clientAddress(req, storefront.trustedProxies);
  const configured = storefront.trustedProxies;
  return { ...storefront, trustedProxies: { has: (address) => address === shopifyHop || configured.has(address) } };
}

/** Query names the widget uses for its credentials behind the proxy (see credentialsFromQuery). */
export const PROXY_SESSION_PARAM = "hf_session";
export const PROXY_TOKEN_PARAM = "hf_token";

/**
 * Shopify strips cookies and some headers on the way through its app proxy, so the widget
 * also sends its session id and bearer token as query parameters there. Those are covered by
 * Shopify's signature (it signs every query parameter), so once the signature checked out they
 * stand in for a missing header; a header that did arrive wins.
 */
function credentialsFromQuery(req: IncomingMessage, query: URLSearchParams): void {
  const session = query.get(PROXY_SESSION_PARAM);
  if (session && req.headers[SESSION_HEADER] === undefined) req.headers[SESSION_HEADER] = session;
  const token = query.get(PROXY_TOKEN_PARAM);
  if (token && req.headers.authorization === undefined) req.headers.authorization = `Bearer ${token}`;
}

async function verify(deps: ProxyDeps, { req, query }: RequestContext): Promise<string> {
  if (!deps.apiSecret)
    throw new HttpError(
      401,
      "proxy_not_configured",
      "The Shopify app is not configured on this server (SHOPIFY_API_SECRET), so app-proxy requests cannot be verified.",
    );
  const verified = verifyProxyQuery(query, deps.apiSecret, deps.clock.now());
  credentialsFromQuery(req, query);
  const storeId = await deps.storeIdOfShop(verified.shop);
  if (!storeId) throw new HttpError(403, "shop_not_installed", `Holdfast is not installed on ${verified.shop}.`);
  markProxied(req);
  if (verified.customerId) setVerifiedCustomer(req, shopifyCustomerRef(verified.customerId));
  return storeId;
}

async function requireSaleOfStore(storefront: StorefrontDeps, saleId: string, storeId: string): Promise<void> {
  const view = await requireRoom(storefront, saleId);
  // Same answer as an unknown sale: another shop's sale ids are not ours to confirm.
  if (view.storeId !== storeId)
    throw new HttpError(404, "sale_not_found", `There is no open sale ${saleId} in this shop; check the sale id in the widget settings.`);
}

import { guardedByRedis } from "../redisGuard.ts";
import type { Route } from "../router.ts";
import { checkout } from "./checkout.ts";
import type { CheckoutDeps } from "./checkoutDeps.ts";
import type { StorefrontDeps } from "./deps.ts";
import { placeHold, releaseHold } from "./holds.ts";
import { saleStock } from "./stock.ts";
import { queueStatus } from "./status.ts";
import { orderStatus } from "./orders.ts";
import { joinQueue } from "./tickets.ts";

/** The storefront contract (see the issue and README): the paths every shopper hits. */
export function storefrontRoutes(deps: StorefrontDeps, checkoutDeps?: CheckoutDeps): Route[] {
  return guardedByRedis(
    [
      { method: "POST", path: "/v1/sales/:saleId/tickets", handler: (ctx) => joinQueue(deps, ctx) },
      { method: "GET", path: "/v1/sales/:saleId/status", handler: (ctx) => queueStatus(deps, ctx) },
      { method: "POST", path: "/v1/sales/:saleId/holds", handler: (ctx) => placeHold(deps, ctx) },
      { method: "DELETE", path: "/v1/holds/:holdId", handler: (ctx) => releaseHold(deps, ctx) },
      { method: "GET", path: "/v1/sales/:saleId/stock", handler: (ctx) => saleStock(deps, ctx) },
      ...(checkoutDeps
        ? ([
            { method: "POST", path: "/v1/checkout", handler: (ctx) => checkout(checkoutDeps, ctx) },
            { method: "GET", path: "/v1/orders/:orderId", handler: (ctx) => orderStatus(checkoutDeps, ctx) },
          ] satisfies Route[])
        : []),
    ],
    deps.redisCircuit,
  );
}

// The one route table of the lean HTTP API (/v1, /proxy, /metrics): which routes a process
// serves, from the parts it was built with. Remix serves every other path (web/remix.server.ts).
import { adminSaleRoutes } from "../api/admin/index.ts";
import { demoRoutes } from "../api/demo/index.ts";
import type { HoldfastMetrics } from "../api/metrics.ts";
import { proxyRoutes } from "../api/proxy/routes.ts";
import type { Route } from "../api/router.ts";
import type { CheckoutDeps } from "../api/storefront/checkoutDeps.ts";
import { storefrontRoutes } from "../api/storefront/routes.ts";
import { wooWebhookRoutes } from "../api/webhooks/woocommerce.ts";
import type { Logger } from "../core/logger.ts";
import { installedShopLookup } from "../stores/shopifyStores.server.ts";
import type { ConnectorDeps } from "../api/connector/deps.ts";
import { connectorRoutes } from "../api/connector/routes.ts";
import { consoleCookie } from "../drops/consoleAuth.server.ts";
import type { WooWebhookDeps } from "../api/webhooks/woocommerce.ts";
import { connectorDeps } from "../stores/wooConnector.server.ts";
import { startWooDeliveryDrain, wooWebhookDeps } from "../webhooks/woocommerce.server.ts";
import type { AppParts } from "./web.server.ts";
import type { RunningWorker } from "./worker.server.ts";

export interface RouteTableOptions {
  /** Bearer token of the admin API; without one the admin API is not mounted. */
  adminToken?: string;
  /** Tokens accepted on /metrics; none: no /metrics. */
  metricsTokens: readonly string[];
  /** The demo store (/demo) and the sale it shows by default. */
  demo?: { defaultSaleId: () => string | null };
  /**
   * WooCommerce webhooks, enqueued on the worker's producers once it runs. `drainEveryMs`: how
   * often deliveries kept while the queue was not ready are processed (npm start: every second;
   * unset, nothing drains them in this process).
   */
  wooWebhooks?: { worker: () => RunningWorker | undefined; drainEveryMs?: number; inboxSource?: string };
  /** The WordPress plugin's connector endpoints (Connect, key set, drops, console sign-in). */
  wooConnector?: { env?: NodeJS.ProcessEnv };
  /** The storefront API behind Shopify's app proxy; a null secret refuses every request (Shopify part off). */
  shopifyProxy?: { apiSecret: string | null };
  /** Test-only additions. */
  extra?: Route[];
}

export function routeTable(parts: AppParts, checkout: CheckoutDeps | undefined, metrics: HoldfastMetrics, logger: Logger, options: RouteTableOptions): Route[] {
  const instrumented: Route[] = [
    ...storefrontRoutes(parts.storefront, checkout),
    ...(options.adminToken ? adminSaleRoutes({ service: parts.sales, adminToken: options.adminToken }) : []),
    ...(options.demo ? demoRoutes({ sales: parts.sales, defaultSaleId: options.demo.defaultSaleId }) : []),
    ...(options.wooWebhooks ? wooWebhookRoutes(wooWebhooks(parts, logger, options.wooWebhooks)) : []),
    ...(options.wooConnector ? connectorRoutes(wooConnector(parts, logger, options.adminToken, options.wooConnector.env)) : []),
    ...(options.shopifyProxy
      ? proxyRoutes({
          storefront: parts.storefront,
          apiSecret: options.shopifyProxy.apiSecret,
          storeIdOfShop: installedShopLookup(parts.db),
          clock: parts.clock,
        })
      : []),
    ...(options.extra ?? []),
  ];
  return [...metrics.instrument(instrumented), ...(options.metricsTokens.length > 0 ? [metrics.route(options.metricsTokens)] : [])];
}

function wooWebhooks(parts: AppParts, logger: Logger, options: NonNullable<RouteTableOptions["wooWebhooks"]>): WooWebhookDeps {
  const deps = wooWebhookDeps(parts, options.worker, logger, options.inboxSource ? { inboxSource: options.inboxSource } : {});
  if (options.drainEveryMs !== undefined) startWooDeliveryDrain(deps, options.drainEveryMs);
  return deps;
}

/** The console signs in with the admin token; a plugin's sign-in link sets the same cookie. */
function wooConnector(parts: AppParts, logger: Logger, adminToken: string | undefined, env: NodeJS.ProcessEnv | undefined): ConnectorDeps {
  return connectorDeps(parts, {
    ...(adminToken ? { adminToken, consoleCookie: (request: Request) => consoleCookie(request, adminToken, parts.clock.now()) } : {}),
    logger,
    ...(env ? { env } : {}),
  });
}

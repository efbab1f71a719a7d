import type { Server } from "node:http";

import { trustedProxiesFromEnv } from "../api/clientAddress.ts";
import { originPolicyFromEnv } from "../api/cors.ts";
import { HoldfastMetrics, metricsTokenFromEnv } from "../api/metrics.ts";
import type { ReadinessCheck } from "../api/health.ts";
import type { Route } from "../api/router.ts";
import type { StorefrontDeps } from "../api/storefront/deps.ts";
import type { CheckoutDeps } from "../api/storefront/checkoutDeps.ts";
import { StockCache } from "../api/storefront/stockCache.ts";
import { CheckoutQueue, CheckoutStore } from "../core/checkout/index.ts";
import type { Logger } from "../core/logger.ts";
import { LocalRateLimiter, rateLimitRulesFromEnv } from "../core/rate-limit/index.ts";
import type { RedisConfig } from "../core/redis.ts";
import { VerifiedTokenCache } from "../core/tokens/index.ts";
import { RoomViewCache, type TicketClaims } from "../core/waiting-room/index.ts";
import type { BreakerSnapshot } from "../core/resilience/index.ts";
import { pingDb } from "../db/client.server.ts";
import { PrismaCheckoutOrderRepository } from "../db/PrismaCheckoutOrderRepository.ts";
import type { WebApp } from "../web/remix.server.ts";
import { paymentProviderFromEnv } from "../platforms/payments/index.ts";
import { createHttpServer } from "../server.ts";
import { SqlKeyringSource } from "../stores/keyrings.server.ts";
import { StoreOriginPolicy } from "../stores/origins.server.ts";
import { buildCore, buildShopperParts, type CoreParts } from "./core.server.ts";
import { routeTable, type RouteTableOptions } from "./routes.server.ts";

export interface AppOptions {
  redis: RedisConfig;
  databaseUrl: string;
  logger: Logger;
  /** Bearer token of the admin API (see adminToken.server.ts); without one the admin API is not mounted. */
  adminToken?: string;
  env?: NodeJS.ProcessEnv;
  /** See CoreOptions.roomRegistryKey. */
  roomRegistryKey?: string;
  /** Optional parts of the route table (composition/routes.server.ts): demo, WooCommerce webhooks, the Shopify proxy. */
  routes?: Omit<RouteTableOptions, "adminToken" | "metricsTokens" | "extra">;
  /** Routes tests mount next to the storefront. */
  extraRoutes?: (parts: AppParts) => Route[];
  /** The Remix app behind every other path (npm start); the caller starts it with `web.start(server)`. */
  web?: (parts: AppParts) => WebApp;
  /** Which parts this process runs, shown on /readyz; and checks beyond Redis and SQL (e.g. the in-process worker). */
  role?: string;
  readiness?: readonly ReadinessCheck[];
  /** Circuit breakers to show on /metrics (the in-process worker's store directory), read at scrape time. */
  breakers?: () => readonly BreakerSnapshot[];
  /** The in-process worker's Shopify token refreshes, for /metrics. */
  tokenRefreshes?: () => readonly { outcome: string; count: number }[];
}

export interface AppParts extends CoreParts {
  storefront: StorefrontDeps;
}

export interface App extends AppParts {
  server: Server;
  web: WebApp | null;
  close(): Promise<void>;
}

/** The web process: the core's parts (composition/core.server.ts) behind the one route table and the Remix app. */
export function buildApp(options: AppOptions): App {
  const env = options.env ?? process.env;
  const core = buildCore({
    redis: options.redis,
    databaseUrl: options.databaseUrl,
    logger: options.logger,
    env,
    ...(options.roomRegistryKey === undefined ? {} : { roomRegistryKey: options.roomRegistryKey }),
  });
  const { redis, db, holds, room, queues, clock } = core;
  // Shoppers get a connection of their own: a command waits a second at most, and a circuit
  // refuses at once while Redis is away, so an outage is answered 503 in microseconds.
  const shopper = buildShopperParts(core, options.redis);
  const { redis: shopperRedis, circuit: redisCircuit, holds: shopperHolds, room: shopperRoom, queues: shopperQueues } = shopper;
  const storefront: StorefrontDeps = {
    holds: shopperHolds,
    room: shopperRoom,
    views: new RoomViewCache((saleId) => redisCircuit.run(() => shopperRoom.view(saleId)), { clock }),
    stock: new StockCache(shopperHolds, clock),
    redisCircuit,
    keyrings: new SqlKeyringSource(db, core.masterKey.key),
    localLimiter: new LocalRateLimiter({ clock }),
    rules: rateLimitRulesFromEnv(env),
    trustedProxies: trustedProxiesFromEnv(env),
    tickets: new VerifiedTokenCache<TicketClaims>({ type: "ticket" }),
    clock,
  };
  const { close: closeCore, ...coreParts } = core;
  const parts: AppParts = { ...coreParts, storefront };
  // Headless checkout: the request opens the order in Redis and queues it; the worker does the rest.
  const payments = paymentProviderFromEnv(env, redis);
  const checkout: CheckoutDeps | undefined = payments
    ? {
        views: storefront.views,
        keyrings: storefront.keyrings,
        clock,
        checkouts: new CheckoutStore(shopperRedis, { clock }),
        queue: new CheckoutQueue(shopperQueues),
        payments,
        orders: new PrismaCheckoutOrderRepository(db),
      }
    : undefined;
  const metrics = new HoldfastMetrics({
    queues,
    room,
    holds,
    logger: options.logger,
    ...(options.breakers ? { breakers: options.breakers } : {}),
    ...(options.tokenRefreshes ? { tokenRefreshes: options.tokenRefreshes } : {}),
  });
  // Both engines: shoppers hold on their own connection, the admin and the worker on the core's.
  metrics.countHolds(holds);
  metrics.countHolds(shopperHolds);
  const metricsTokens = [options.adminToken, metricsTokenFromEnv(env)].filter((token): token is string => typeof token === "string");
  const web = options.web?.(parts) ?? null;
  const server = createHttpServer({
    readiness: [{ name: "redis", check: async () => void (await shopperRedis.ping()) }, { name: "sql", check: () => pingDb(db) }, ...(options.readiness ?? [])],
    ...(options.role ? { role: options.role } : {}),
    routes: routeTable(parts, checkout, metrics, options.logger, {
      ...options.routes,
      ...(options.adminToken ? { adminToken: options.adminToken } : {}),
      metricsTokens,
      extra: options.extraRoutes?.(parts) ?? [],
    }),
    originPolicy: new StoreOriginPolicy(db, storefront.views, originPolicyFromEnv(env)),
    ...(web ? { web } : {}),
    logger: options.logger,
  });
  return {
    ...parts,
    server,
    web,
    async close() {
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await web?.close();
      await shopper.close();
      await closeCore();
    },
  };
}

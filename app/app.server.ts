import type { Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { adminSaleRoutes } from "./api/admin/index.ts";
import { trustedProxiesFromEnv } from "./api/clientAddress.ts";
import { originPolicyFromEnv } from "./api/cors.ts";
import { HoldfastMetrics, metricsTokenFromEnv } from "./api/metrics.ts";
import type { Route } from "./api/router.ts";
import type { StorefrontDeps } from "./api/storefront/deps.ts";
import type { CheckoutDeps } from "./api/storefront/checkoutDeps.ts";
import { storefrontRoutes } from "./api/storefront/routes.ts";
import { StockCache } from "./api/storefront/stockCache.ts";
import { CheckoutQueue, CheckoutStore } from "./core/checkout/index.ts";
import { systemClock } from "./core/clock.ts";
import { HoldEngine } from "./core/inventory/index.ts";
import type { Logger } from "./core/logger.ts";
import { LocalRateLimiter, rateLimitRulesFromEnv } from "./core/rate-limit/index.ts";
import { createRedis, type RedisClient, type RedisConfig } from "./core/redis.ts";
import { loadMasterKey, type LoadedMasterKey } from "./core/secrets/index.ts";
import { SaleService } from "./core/sales/index.ts";
import { VerifiedTokenCache } from "./core/tokens/index.ts";
import { SaleLifecycle } from "./core/waiting-room/lifecycle.ts";
import { RoomViewCache, WaitingRoom, type TicketClaims } from "./core/waiting-room/index.ts";
import { HoldfastQueues, queueNamespaceFromEnv } from "./core/orders/index.ts";
import type { BreakerSnapshot } from "./core/resilience/index.ts";
import { createDb, type Db } from "./db.server.ts";
import { PrismaCheckoutOrderRepository } from "./db/PrismaCheckoutOrderRepository.ts";
import { PrismaSaleRepository } from "./db/PrismaSaleRepository.ts";
import type { WebApp } from "./remix.server.ts";
import { paymentProviderFromEnv } from "./platforms/payments/index.ts";
import { createHttpServer } from "./server.ts";
import { SqlKeyringSource } from "./storeKeyrings.server.ts";
import { StoreOriginPolicy } from "./storeOrigins.server.ts";

const PRISMA_DIRECTORY = fileURLToPath(new URL("../prisma/", import.meta.url));
/** Where the zero-config start keeps its generated master key (gitignored). */
export const DEV_MASTER_KEY_FILE = join(PRISMA_DIRECTORY, ".holdfast-master-key");

export interface AppOptions {
  redis: RedisConfig;
  databaseUrl: string;
  logger: Logger;
  /** Bearer token of the admin API (see adminToken.server.ts); without one the admin API is not mounted. */
  adminToken?: string;
  env?: NodeJS.ProcessEnv;
  /** Routes mounted next to the storefront (admin API). */
  extraRoutes?: (parts: AppParts) => Route[];
  /** The Remix app behind every other path (npm start); the caller starts it with `web.start(server)`. */
  web?: (parts: AppParts) => WebApp;
  /** Circuit breakers to show on /metrics (the in-process worker's store directory), read at scrape time. */
  breakers?: () => readonly BreakerSnapshot[];
}

export interface AppParts {
  redis: RedisClient;
  db: Db;
  holds: HoldEngine;
  room: WaitingRoom;
  sales: SaleService;
  storefront: StorefrontDeps;
  masterKey: LoadedMasterKey;
}

export interface App extends AppParts {
  server: Server;
  web: WebApp | null;
  close(): Promise<void>;
}

/** The composition root: every real part, wired once, for `npm start`, the worker and benchmarks. */
export function buildApp(options: AppOptions): App {
  const env = options.env ?? process.env;
  const redis = createRedis(options.redis);
  redis.on("error", (error: Error) => options.logger.error("redis connection error", { error: error.message }));
  const db = createDb(options.databaseUrl);
  const masterKey = loadMasterKey(env, { keyFile: DEV_MASTER_KEY_FILE });
  const clock = systemClock;
  const holds = new HoldEngine(redis, { clock });
  const room = new WaitingRoom(redis, { clock });
  const storefront: StorefrontDeps = {
    holds,
    room,
    views: new RoomViewCache((saleId) => room.view(saleId), { clock }),
    stock: new StockCache(holds, clock),
    keyrings: new SqlKeyringSource(db, masterKey.key),
    localLimiter: new LocalRateLimiter({ clock }),
    rules: rateLimitRulesFromEnv(env),
    trustedProxies: trustedProxiesFromEnv(env),
    tickets: new VerifiedTokenCache<TicketClaims>({ type: "ticket" }),
    clock,
  };
  // Queue producers of this process (checkout, sale lifecycle, depths on /metrics); the worker has its own.
  const queues = new HoldfastQueues(redis, { namespace: queueNamespaceFromEnv(env) });
  const sales = new SaleService({ repository: new PrismaSaleRepository(db), holds, room, clock, lifecycle: new SaleLifecycle(queues, { clock }) });
  const parts: AppParts = { redis, db, holds, room, sales, storefront, masterKey };
  // Headless checkout: the request opens the order in Redis and queues it; the worker does the rest.
  const payments = paymentProviderFromEnv(env, redis);
  const checkout: CheckoutDeps | undefined = payments
    ? {
        views: storefront.views,
        keyrings: storefront.keyrings,
        clock,
        checkouts: new CheckoutStore(redis, { clock }),
        queue: new CheckoutQueue(queues),
        payments,
        orders: new PrismaCheckoutOrderRepository(db),
      }
    : undefined;
  const metrics = new HoldfastMetrics({ queues, room, holds, logger: options.logger, ...(options.breakers ? { breakers: options.breakers } : {}) });
  metrics.countHolds(holds);
  const metricsTokens = [options.adminToken, metricsTokenFromEnv(env)].filter((token): token is string => typeof token === "string");
  const web = options.web?.(parts) ?? null;
  const server = createHttpServer({
    readiness: [
      { name: "redis", check: async () => void (await redis.ping()) },
      { name: "sql", check: async () => void (await db.$queryRaw`SELECT 1`) },
    ],
    routes: [
      ...metrics.instrument([
        ...storefrontRoutes(storefront, checkout),
        ...(options.adminToken ? adminSaleRoutes({ service: sales, adminToken: options.adminToken }) : []),
        ...(options.extraRoutes?.(parts) ?? []),
      ]),
      ...(metricsTokens.length > 0 ? [metrics.route(metricsTokens)] : []),
    ],
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
      await queues.close();
      await redis.quit().catch(() => undefined);
      await db.$disconnect();
    },
  };
}


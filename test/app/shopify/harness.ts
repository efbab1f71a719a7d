// The embedded app's server side on real parts: buildApp (real Redis, a fresh migrated SQLite
// file, real HTTP server with the app-proxy routes), a queue namespace of its own, and the
// Shopify library configured with testConfig() from @shopify/shopify-app-remix/test-helpers on
// our SQL session storage. Admin API calls reach the order-queue stand-in through an undici
// global dispatcher (every https://*.myshopify.com request of this process goes there).
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";

import { Session } from "@shopify/shopify-api";
import { testConfig } from "@shopify/shopify-app-remix/test-helpers";
import { Agent, setGlobalDispatcher, type Dispatcher } from "undici";

import { proxyRoutes } from "../../../app/api/proxy/routes.ts";
import { wooWebhookRoutes } from "../../../app/api/webhooks/woocommerce.ts";
import { wooWebhookDeps } from "../../../app/webhooks/woocommerce.server.ts";
import { buildApp, type App } from "../../../app/composition/web.server.ts";
import type { Logger, LogFields } from "../../../app/core/logger.ts";
import { OrderIntake, PlatformEventProcessor, PlatformEventQueue, PlatformEventWorker } from "../../../app/core/orders/index.ts";
import { DeadLetterQueue, HoldfastQueues, JITTERED_BACKOFF, QUEUE_NAMES } from "../../../app/core/queues/index.ts";
import { EchoGuard, ExternalStockIntake, StockWriteBack } from "../../../app/core/sync/index.ts";
import { PrismaSyncCatalog } from "../../../app/db/PrismaSyncCatalog.ts";
import { SqlPlatformDirectory } from "../../../app/stores/directory.server.ts";
import type { HoldfastContext } from "../../../app/web/context.server.ts";
import { configureShopify, offlineAdmin } from "../../../app/shopify.server.ts";
import { SqlPlatformOrders } from "../../../app/webhooks/platformOrders.server.ts";
import { SqlSessionStorage } from "../../../app/db/SqlSessionStorage.ts";
import { installedShopLookup, recordShopifyInstall } from "../../../app/stores/shopifyStores.server.ts";
import { migrateDatabase } from "../../../app/db/migrate.server.ts";
import { expect } from "vitest";
import { freshDatabase, type TestDatabase } from "../../db/databases.ts";
import { testRedisConfig } from "../../support/redis.ts";
import { startShopifyStandIn, type ShopifyStandIn } from "../../support/shopify/standIn.ts";

/** testConfig()'s app credentials: what Shopify signs webhooks, proxy requests and session tokens with. */
export const TEST_APP = testConfig();
export const API_KEY = TEST_APP.apiKey;
export const API_SECRET = TEST_APP.apiSecretKey;
export const JOINS_PER_ADDRESS = 3;

export interface LogEntry {
  level: "info" | "warn" | "error";
  message: string;
  fields: LogFields;
}

export interface ShopifyHarness {
  app: App;
  base: string;
  db: App["db"];
  context: { holdfast: HoldfastContext };
  queues: HoldfastQueues;
  /** The dead letters of this harness's queues (malformed deliveries land here). */
  deadLetters: DeadLetterQueue;
  /** Where the harness's worker hands stock levels (inventory_levels/update), as production wires it; its write-back flushes to the stand-in. */
  stock: { intake: ExternalStockIntake; writeBack: StockWriteBack };
  /** Waits until the worker is done with a delivery (whatever it made of it). */
  settled(webhookId: string): Promise<void>;
  standInOf(shop: string): ShopifyStandIn;
  logs: LogEntry[];
  /** A shop with an installed store, an offline session, and an access token the stand-in accepts. */
  installShop(label: string): Promise<{ shop: string; storeId: string; accessToken: string }>;
  /** A live sale of the store, its items linked to stand-in stock (InventoryItem@Location refs). */
  createLiveSale(
    storeId: string,
    shop: string,
    items: { title: string; allocation: number }[],
    options?: { bypassPolicy?: "allow" | "flag" | "cancel"; perCustomerLimit?: number },
  ): Promise<{ saleId: string; items: { itemId: string; variantId: number; inventoryItemId: number; locationId: number }[] }>;
  /** The platform-events jobs (verified deliveries) of this harness's queue, with their state. */
  platformEventJobs(): Promise<{ id: string; state: string; data: Record<string, unknown> }[]>;
  /** The order-events jobs waiting in this harness's queue. */
  queuedOrderEvents(): Promise<{ id: string; data: Record<string, unknown> }[]>;
  close(): Promise<void>;
}

/** Stand-ins by shop domain: the dispatcher sends each shop's Admin API calls to its own. */
const standIns = new Map<string, Pick<ShopifyStandIn, "url">>();

/** Sends every https://<shop>/ request of this process to `url` (a local server playing Shopify for that shop). */
export function routeShopTo(shop: string, url: string): void {
  routeShopsToStandIns();
  standIns.set(shop, { url });
}
let dispatcherInstalled = false;

/** Sends https://<shop>.myshopify.com/* to that shop's stand-in (plain HTTP on loopback), naming the shop in X-Forwarded-Host. */
function routeShopsToStandIns(): void {
  if (dispatcherInstalled) return;
  dispatcherInstalled = true;
  const agent = new Agent().compose((dispatch: Dispatcher["dispatch"]) => (options, handler) => {
    const origin = new URL(String(options.origin));
    const target = standIns.get(origin.hostname);
    if (!target) return dispatch(options, handler);
    const headers = Array.isArray(options.headers)
      ? [...(options.headers as string[]), "x-forwarded-host", origin.host]
      : { ...(options.headers as Record<string, string> | undefined), "x-forwarded-host": origin.host };
    return dispatch({ ...options, origin: target.url, headers }, handler);
  });
  setGlobalDispatcher(agent);
}

export interface HarnessOptions {
  /** How long the app proxy remembers a shop's store (production: 30 s); default 0, so uninstalls show at once. */
  shopLookupTtlMs?: number;
  env?: Record<string, string>;
  /** Also serve WooCommerce's webhook route (/v1/webhooks/woocommerce/:storeId) onto this harness's queues. */
  wooWebhooks?: boolean;
}

export async function startShopifyHarness(options: HarnessOptions = {}): Promise<ShopifyHarness> {
  const database: TestDatabase = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  const logs: LogEntry[] = [];
  // The queue producers, made once the app's Redis connection exists (the routes ask at request time).
  const producers: { platformEvents?: PlatformEventQueue } = {};
  const logger: Logger = {
    info: (message, fields = {}) => logs.push({ level: "info", message, fields }),
    warn: (message, fields = {}) => logs.push({ level: "warn", message, fields }),
    error: (message, fields = {}) => logs.push({ level: "error", message, fields }),
  };
  const app = buildApp({
    redis: testRedisConfig(),
    databaseUrl: database.url,
    logger,
    // A low join limit per address, so tests can tell shoppers behind Shopify's proxy apart.
    env: { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"), HOLDFAST_RATE_LIMIT_JOIN_PER_IP: String(JOINS_PER_ADDRESS), ...options.env },
    extraRoutes: (parts) => [
      ...(options.wooWebhooks
        ? wooWebhookRoutes(
            wooWebhookDeps(parts, () => (producers.platformEvents ? { platformEvents: producers.platformEvents } : undefined), logger, {
              inboxSource: `t-${randomBytes(4).toString("hex")}`,
            }),
          )
        : []),
      ...proxyRoutes({
        storefront: parts.storefront,
        apiSecret: API_SECRET,
        storeIdOfShop: installedShopLookup(parts.db, options.shopLookupTtlMs ?? 0),
        clock: parts.storefront.clock,
      }),
    ],
  });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const queues = new HoldfastQueues(app.redis, {
    namespace: `hf-t-shopify-${randomBytes(4).toString("hex")}`,
    // Retries of a delivery (the Admin stand-in down) come quickly in tests.
    jobOptions: { [QUEUE_NAMES.platformEvents]: { attempts: 20, backoff: { type: JITTERED_BACKOFF, delay: 200 } } },
  });
  const deadLetters = new DeadLetterQueue(queues);
  const intake = new OrderIntake(queues, deadLetters);
  const catalog = new PrismaSyncCatalog(app.db);
  const echo = new EchoGuard(app.redis);
  const platforms = new SqlPlatformDirectory({ db: app.db, masterKey: app.masterKey.key, redis: app.redis });
  const writeBack = new StockWriteBack({ redis: app.redis, holds: app.holds, catalog, echo, platforms });
  const stock = { intake: new ExternalStockIntake({ redis: app.redis, holds: app.holds, catalog, echo, writeBack }), writeBack };
  const platformEvents = new PlatformEventQueue(queues);
  producers.platformEvents = platformEvents;
  const context = {
    holdfast: {
      redis: app.redis,
      db: app.db,
      holds: app.holds,
      room: app.room,
      sales: app.sales,
      masterKey: app.masterKey,
      intake,
      platformEvents,
      queues,
      logger,
    },
  };
  // The worker half that maps verified deliveries to order events (the order events themselves stay queued for the tests to process).
  const mapper = new PlatformEventWorker({
    queues,
    deadLetters,
    logger,
    backoff: { maxDelayMs: 1_000 },
    processor: new PlatformEventProcessor({
      orders: new SqlPlatformOrders({ db: app.db, redis: app.redis, shopifyAdmin: offlineAdmin }),
      intake,
      stock: stock.intake,
      logger,
    }),
  });
  mapper.start();
  const platformEventJobs = async () => {
    const jobs = await queues.queue(QUEUE_NAMES.platformEvents).getJobs(["waiting", "delayed", "active", "completed", "failed", "prioritized"]);
    return Promise.all(jobs.map(async (job) => ({ id: String(job.id), state: await job.getState(), data: job.data as Record<string, unknown> })));
  };
  const sessionStorage = new SqlSessionStorage(app.db, app.masterKey.key);
  configureShopify({
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    appUrl: TEST_APP.appUrl,
    sessionStorage,
    install: { db: app.db, masterKey: app.masterKey.key },
    isTesting: true,
  });

  routeShopsToStandIns();
  // The stand-in takes its shops up front: one per installed shop.
  const ownStandIns = new Map<string, ShopifyStandIn>();

  return {
    app,
    base,
    db: app.db,
    context,
    queues,
    deadLetters,
    stock,
    async settled(webhookId) {
      const states = async () => (await platformEventJobs()).filter((job) => job.data.webhookId === webhookId).map((job) => job.state);
      await expect.poll(states, { timeout: 60_000 }).toEqual(["completed"]);
    },
    standInOf: (shop: string) => ownStandIns.get(shop) as ShopifyStandIn,
    logs,
    async installShop(label) {
      const shop = `${label}-${randomBytes(3).toString("hex")}.myshopify.com`;
      const accessToken = `shpat_${randomBytes(12).toString("hex")}`;
      const standIn = await startShopifyStandIn([{ domain: shop, accessToken }]);
      standIns.set(shop, standIn);
      ownStandIns.set(shop, standIn);
      const session = new Session({ id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken, scope: TEST_APP.scopes?.toString() });
      await sessionStorage.storeSession(session);
      const storeId = await recordShopifyInstall(app.db, app.masterKey.key, session);
      return { shop, storeId, accessToken };
    },
    async createLiveSale(storeId, shop, items, options = {}) {
      const state = (ownStandIns.get(shop) as ShopifyStandIn).shop(shop);
      const stock = items.map((item) => state.stock({ available: item.allocation }));
      const created = await app.sales.create({
        name: `Drop ${randomUUID().slice(0, 6)}`,
        storeId,
        items: items.map((item, i) => ({
          title: item.title,
          allocation: item.allocation,
          platformRef: `gid://shopify/InventoryItem/${stock[i]!.itemId}@gid://shopify/Location/${stock[i]!.locationId}`,
        })),
        holdMinutes: 10,
        perCustomerLimit: options.perCustomerLimit ?? 0,
        admission: { mode: "off" },
      });
      const saleId = created.sale.id;
      await app.sales.start(saleId);
      if (options.bypassPolicy) await app.db.sale.update({ where: { id: saleId }, data: { bypassPolicy: options.bypassPolicy } });
      return {
        saleId,
        items: created.sale.items.map((item, i) => ({
          itemId: item.id,
          variantId: stock[i]!.variantId,
          inventoryItemId: stock[i]!.itemId,
          locationId: stock[i]!.locationId,
        })),
      };
    },
    platformEventJobs,
    async queuedOrderEvents() {
      const jobs = await queues.queue(QUEUE_NAMES.orderEvents).getJobs(["waiting", "delayed", "active", "completed", "failed", "prioritized"]);
      return jobs.map((job) => ({ id: String(job.id), data: job.data as Record<string, unknown> }));
    },
    async close() {
      await mapper.close(true);
      for (const name of [QUEUE_NAMES.platformEvents, QUEUE_NAMES.deadLetter]) {
        await queues
          .queue(name)
          .obliterate({ force: true })
          .catch(() => undefined);
      }
      await queues
        .queue(QUEUE_NAMES.orderEvents)
        .obliterate({ force: true })
        .catch(() => undefined);
      await queues.close();
      await app.close();
      await Promise.all([...ownStandIns.values()].map((standIn) => standIn.close()));
      for (const shop of ownStandIns.keys()) standIns.delete(shop);
      await database.drop();
    },
  };
}

/** A webhook as Shopify sends it: X-Shopify-Hmac-Sha256 is base64 HMAC-SHA256 of the raw body with the app secret. */
export function signedWebhook(
  path: string,
  {
    topic,
    shop,
    payload,
    webhookId = randomUUID(),
    eventId,
    secret = API_SECRET,
    hmac,
  }: { topic: string; shop: string; payload: unknown; webhookId?: string; eventId?: string; secret?: string; hmac?: string | null },
): Request {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-shopify-topic": topic,
    "x-shopify-shop-domain": shop,
    "x-shopify-api-version": "2026-04",
    "x-shopify-webhook-id": webhookId,
    "x-shopify-triggered-at": new Date().toISOString(),
  };
  if (eventId) headers["x-shopify-event-id"] = eventId;
  const signature = hmac === undefined ? createHmac("sha256", secret).update(body, "utf8").digest("base64") : hmac;
  if (signature !== null) headers["x-shopify-hmac-sha256"] = signature;
  return new Request(`${TEST_APP.appUrl}${path}`, { method: "POST", headers, body });
}

// Write-back and reconciliation on real Redis, a fresh migrated SQLite file, real BullMQ, the
// store directory and the Shopify / WooCommerce stand-ins. Every harness has its own shop,
// queue namespace, budget prefix and sale ids, so test files run in parallel.
import { randomBytes } from "node:crypto";

import { Cluster } from "ioredis";

import { HoldEngine } from "../../../app/core/inventory/index.ts";
import type { Logger } from "../../../app/core/logger.ts";
import { HoldfastQueues, type HoldfastQueuesOptions } from "../../../app/core/queues/index.ts";
import type { RedisClient } from "../../../app/core/redis.ts";
import type { PlatformPolicyOptions } from "../../../app/core/resilience/index.ts";
import { EchoGuard, ExternalStockIntake, StockWriteBack } from "../../../app/core/sync/index.ts";
import { PrismaSyncCatalog, PrismaWriteBackJournal } from "../../../app/db/PrismaSyncCatalog.ts";
import { createDb, type Db } from "../../../app/db/client.server.ts";
import { stockRef } from "../../../app/platforms/shopify/index.ts";
import { saveStore, SqlPlatformDirectory } from "../../../app/stores/directory.server.ts";
import { credentialsFromAnswer } from "../../../app/stores/shopifyTokens.server.ts";
import { migrateDatabase } from "../../../app/db/migrate.server.ts";
import { freshDatabase, type TestDatabase } from "../../db/databases.ts";
import { connectTestRedis, uniqueSaleId } from "../../support/redis.ts";
import { startShopifyStandIn, type BucketConfig, type ShopifyStandIn, type ShopState } from "../../support/shopify/standIn.ts";
import { WooStandIn } from "../../support/woocommerce/index.ts";

export type SyncPlatform = "shopify" | "woocommerce";

export interface HarnessOptions {
  policy?: Omit<PlatformPolicyOptions, "storeId" | "platform">;
  bucket?: Partial<BucketConfig>;
  lockTtlMs?: number;
  logger?: Logger;
  jobOptions?: HoldfastQueuesOptions["jobOptions"];
  /** The WooCommerce store has the Holdfast plugin connected with this secret: stock goes through its relative endpoint. */
  wooConnectorSecret?: string;
  /** The Shopify shop issues expiring offline tokens (lifetime in seconds), refreshed this long before expiry (ms). */
  expiring?: { accessTtlSeconds: number; refreshAheadMs: number };
}

/** The app's key and secret the stand-in expects on its token endpoint. */
export const SYNC_APP = { apiKey: "sync-app-key", apiSecretKey: "sync-app-secret" };

export interface SyncedSale {
  saleId: string;
  storeId: string;
  items: { itemId: string; ref: string }[];
}

export const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export class SyncHarness {
  readonly holds: HoldEngine;
  readonly catalog: PrismaSyncCatalog;
  readonly platforms: SqlPlatformDirectory;
  readonly echo: EchoGuard;
  readonly journal: PrismaWriteBackJournal;
  readonly writeBack: StockWriteBack;
  readonly intake: ExternalStockIntake;
  readonly queues: HoldfastQueues;
  readonly masterKey = randomBytes(32);
  readonly shopDomain: string;
  readonly budgetPrefix: string;
  private readonly wooConnectorSecret: string | undefined;
  private readonly expiring: boolean;
  private readonly sales: string[] = [];
  private readonly stores: string[] = [];

  private constructor(
    readonly redis: RedisClient,
    readonly db: Db,
    readonly database: TestDatabase,
    readonly shopify: ShopifyStandIn,
    readonly woo: WooStandIn,
    readonly namespace: string,
    shopDomain: string,
    options: HarnessOptions,
  ) {
    this.shopDomain = shopDomain;
    this.budgetPrefix = `hf:test:${namespace}:budget:`;
    this.wooConnectorSecret = options.wooConnectorSecret;
    this.holds = new HoldEngine(redis);
    this.catalog = new PrismaSyncCatalog(db);
    this.platforms = new SqlPlatformDirectory({
      db,
      masterKey: this.masterKey,
      redis,
      budgetPrefix: this.budgetPrefix,
      policy: options.policy ?? { retries: 0 },
      shopifyFetch: shopify.fetch,
      logger: options.logger ?? quietLogger,
      ...(options.expiring ? { shopifyApp: SYNC_APP, tokenRefreshAheadMs: options.expiring.refreshAheadMs } : {}),
    });
    this.expiring = options.expiring !== undefined;
    this.echo = new EchoGuard(redis);
    this.journal = new PrismaWriteBackJournal(db);
    this.writeBack = new StockWriteBack({
      redis,
      holds: this.holds,
      catalog: this.catalog,
      platforms: this.platforms,
      breakers: this.platforms,
      echo: this.echo,
      journal: this.journal,
      logger: options.logger ?? quietLogger,
      lockTtlMs: options.lockTtlMs,
    });
    this.intake = new ExternalStockIntake({
      redis,
      holds: this.holds,
      catalog: this.catalog,
      echo: this.echo,
      writeBack: this.writeBack,
      logger: options.logger ?? quietLogger,
    });
    this.queues = new HoldfastQueues(redis, { namespace, jobOptions: options.jobOptions });
  }

  static async create(label: string, options: HarnessOptions = {}): Promise<SyncHarness> {
    const database = await freshDatabase("sqlite");
    await migrateDatabase(database.url, () => undefined);
    const suffix = randomBytes(4).toString("hex");
    const shopDomain = `sync-${label}-${suffix}.myshopify.com`;
    const expiring = options.expiring && {
      clientId: SYNC_APP.apiKey,
      clientSecret: SYNC_APP.apiSecretKey,
      accessTtlSeconds: options.expiring.accessTtlSeconds,
    };
    const shopify = await startShopifyStandIn([
      { domain: shopDomain, accessToken: `shpat_${suffix}`, bucket: options.bucket, ...(expiring ? { expiring } : {}) },
    ]);
    const woo = await new WooStandIn(options.wooConnectorSecret ? { holdfastConnectorSecret: options.wooConnectorSecret } : {}).start();
    return new SyncHarness(connectTestRedis(), createDb(database.url), database, shopify, woo, `hf-t-sync-${label}-${suffix}`, shopDomain, options);
  }

  get shop(): ShopState {
    return this.shopify.shop(this.shopDomain);
  }

  async storeFor(platform: SyncPlatform): Promise<string> {
    const storeId =
      platform === "shopify"
        ? await saveStore(
            this.db,
            this.masterKey,
            {
              platform,
              domain: this.shopDomain,
              name: "Sync shop",
              // Expiring: the pair a token exchange hands over at install.
              credentials: this.expiring ? credentialsFromAnswer(this.shop.tokens.issue()) : { accessToken: this.shop.accessToken },
            },
            this.platforms,
          )
        : await saveStore(
            this.db,
            this.masterKey,
            {
              platform,
              domain: `woo-${this.namespace}.example`,
              name: "Sync woo",
              credentials: {
                url: this.woo.url,
                consumerKey: this.woo.consumerKey,
                consumerSecret: this.woo.consumerSecret,
                ...(this.wooConnectorSecret ? { connectorSecret: this.wooConnectorSecret } : {}),
              },
            },
            this.platforms,
          );
    this.stores.push(storeId);
    return storeId;
  }

  /** A live sale of `count` items (each `allocation` units) whose twins exist on the platform with `platformStock` units. */
  async createSale(platform: SyncPlatform, count: number, allocation = 50, platformStock = 0, state = "live"): Promise<SyncedSale> {
    const storeId = await this.storeFor(platform);
    const saleId = uniqueSaleId("sync");
    this.sales.push(saleId);
    const items = Array.from({ length: count }, (_, index) => ({ itemId: `${saleId}-i${index}`, ref: this.newRef(platform, platformStock) }));
    await this.db.sale.create({
      data: {
        id: saleId,
        storeId,
        name: saleId,
        state,
        startsAt: new Date(),
        holdMinutes: 10,
        perCustomerLimit: 0,
        items: { create: items.map((item, position) => ({ id: item.itemId, title: item.itemId, allocation, platformRef: item.ref, position })) },
      },
    });
    await this.holds.defineSale(saleId, { perCustomerLimit: 0, items: items.map((item) => ({ itemId: item.itemId, allocation })) });
    return { saleId, storeId, items };
  }

  newRef(platform: SyncPlatform, stock = 0): string {
    if (platform === "woocommerce") return String(this.woo.addProduct({ stock }));
    const at = this.shop.stock({ available: stock });
    return stockRef({ inventoryItemId: `gid://shopify/InventoryItem/${at.itemId}`, locationId: `gid://shopify/Location/${at.locationId}` });
  }

  platformStock(platform: SyncPlatform, ref: string): number | null {
    if (platform === "woocommerce") return this.woo.stockOf(ref);
    const [item, location] = ref.split("@").map((gid) => Number(gid.split("/").pop()));
    return this.shop.level(item ?? 0, location ?? 0)?.available ?? null;
  }

  /** A change on the platform made by someone else (POS, another channel, a merchant's edit). */
  setPlatformStock(platform: SyncPlatform, ref: string, available: number): void {
    if (platform === "woocommerce") return this.woo.setStock(ref, available);
    const [item, location] = ref.split("@").map((gid) => Number(gid.split("/").pop()));
    const level = this.shop.level(item ?? 0, location ?? 0);
    if (level) level.available = available;
  }

  /** Holdfast's available count per item. */
  async holdfastStock(sale: SyncedSale): Promise<Record<string, number>> {
    const snapshot = await this.holds.snapshot(sale.saleId);
    return Object.fromEntries(sale.items.map((item) => [item.itemId, snapshot?.items[item.itemId]?.available ?? -1]));
  }

  /** The platform's count per item, keyed like holdfastStock. */
  platformStocks(platform: SyncPlatform, sale: SyncedSale): Record<string, number> {
    return Object.fromEntries(sale.items.map((item) => [item.itemId, this.platformStock(platform, item.ref) ?? -1]));
  }

  /** `changes` random stock changes over the sale's items: holds (some released), restocks. */
  async churn(sale: SyncedSale, changes: number, seed = 1): Promise<void> {
    let state = seed;
    const random = () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
    const holds: string[] = [];
    for (let n = 0; n < changes; n += 1) {
      const item = sale.items[Math.floor(random() * sale.items.length)]!;
      const roll = random();
      if (roll < 0.6) {
        const result = await this.holds.reserve(sale.saleId, {
          lines: [{ itemId: item.itemId, quantity: 1 }],
          customerId: `c${n}`,
          ttlMs: 600_000,
          requestId: `r${seed}-${n}`,
        });
        if (result.outcome === "reserved") holds.push(result.holdId);
      } else if (roll < 0.85 && holds.length > 0) {
        await this.holds.release(sale.saleId, holds.splice(Math.floor(random() * holds.length), 1)[0]!);
      } else {
        await this.holds.adjust(sale.saleId, item.itemId, 1 + Math.floor(random() * 3));
      }
    }
  }

  async waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async close(): Promise<void> {
    await this.queues.close();
    const patterns = [
      `{${this.namespace}:*`,
      `${this.budgetPrefix}*`,
      ...this.sales.map((saleId) => `hf:{s:${saleId}}:*`),
      ...this.stores.map((storeId) => `hf:{e:${storeId}}:*`),
    ];
    const nodes = this.redis instanceof Cluster ? this.redis.nodes("master") : [this.redis];
    for (const node of nodes) {
      for (const pattern of patterns) {
        for (const key of await node.keys(pattern)) await this.redis.unlink(key);
      }
    }
    await this.redis.quit();
    await this.db.$disconnect();
    await this.database.drop();
    await Promise.all([this.shopify.close(), this.woo.close()]);
  }
}

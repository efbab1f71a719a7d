/**
 * Write-back during a spike: S seconds of stock changes (holds, releases, restocks) over K
 * items of one sale, with the real WriteBackWorker (BullMQ scheduler, flush per interval)
 * writing to a platform stand-in through the store directory (Shopify: shared cost budget in
 * Redis, bucket 1000 points refilling 100/s as on a standard plan; WooCommerce: batches of
 * 100). Counts the platform's stock-write calls against the ideal (one per item batch per
 * flush interval), its throttled answers, and the time from the end of the spike until the
 * platform's stock equals Holdfast's for every item.
 */
import { randomBytes } from "node:crypto";

import { HoldEngine } from "../../app/core/inventory/index.ts";
import { silentLogger } from "../../app/core/logger.ts";
import { HoldfastQueues } from "../../app/core/queues/index.ts";
import type { RedisClient } from "../../app/core/redis.ts";
import { StockWriteBack, WriteBackWorker } from "../../app/core/sync/index.ts";
import { PrismaSyncCatalog } from "../../app/db/PrismaSyncCatalog.ts";
import type { Db } from "../../app/db/client.server.ts";
import { stockRef } from "../../app/platforms/shopify/index.ts";
import { saveStore, SqlPlatformDirectory } from "../../app/stores/directory.server.ts";
import { startShopifyStandIn } from "../../test/support/shopify/standIn.ts";
import { WooStandIn } from "../../test/support/woocommerce/index.ts";

export type SpikePlatform = "shopify" | "woocommerce";

export interface SpikeOptions {
  redis: RedisClient;
  db: Db;
  runId: string;
  platform: SpikePlatform;
  items: number;
  changes: number;
  spikeSeconds: number;
  flushIntervalMs: number;
  log: (message: string) => void;
}

export interface SpikeResult {
  platform: SpikePlatform;
  items: number;
  maxBatch: number;
  changes: number;
  spikeSeconds: number;
  flushIntervalMs: number;
  /** Stock-write calls from the start of the spike until the platform equals Holdfast. */
  calls: number;
  /** One call per item batch per flush interval over the same time. */
  idealCalls: number;
  callsPer10kChanges: number;
  /** Shopify "Throttled" answers / WooCommerce 429s. */
  throttled: number;
  /** From the last change of the spike until every item's platform stock equals Holdfast's. */
  convergeMs: number;
  convergeIntervals: number;
  itemsMismatchedAtEnd: number;
}

interface Target {
  refs: string[];
  stock(ref: string): number | null;
  calls(): number;
  throttled(): number;
  close(): Promise<void>;
  directory(db: Db, redis: RedisClient, masterKey: Buffer, budgetPrefix: string): SqlPlatformDirectory;
  store(db: Db, masterKey: Buffer): Promise<string>;
}

async function shopifyTarget(runId: string, items: number): Promise<Target> {
  const domain = `bench-${runId}.myshopify.com`;
  const token = `shpat_${runId}`;
  const standIn = await startShopifyStandIn([{ domain, accessToken: token, bucket: { maximumAvailable: 1_000, restoreRate: 100 } }]);
  const shop = standIn.shop(domain);
  const refs = Array.from({ length: items }, () => {
    const at = shop.stock({ available: 0 });
    return stockRef({ inventoryItemId: `gid://shopify/InventoryItem/${at.itemId}`, locationId: `gid://shopify/Location/${at.locationId}` });
  });
  return {
    refs,
    stock: (ref) => {
      const [item, location] = ref.split("@").map((gid) => Number(gid.split("/").pop()));
      return shop.level(item ?? 0, location ?? 0)?.available ?? null;
    },
    calls: () => shop.stats.operations.HoldfastInventorySetQuantities ?? 0,
    throttled: () => shop.stats.throttled,
    close: () => standIn.close(),
    directory: (db, redis, masterKey, budgetPrefix) =>
      new SqlPlatformDirectory({ db, redis, masterKey, budgetPrefix, shopifyFetch: standIn.fetch, logger: silentLogger }),
    store: (db, masterKey) => saveStore(db, masterKey, { platform: "shopify", domain, name: "bench", credentials: { accessToken: token } }),
  };
}

async function wooTarget(runId: string, items: number): Promise<Target> {
  const woo = await new WooStandIn().start();
  const refs = Array.from({ length: items }, () => String(woo.addProduct({ stock: 0 })));
  return {
    refs,
    stock: (ref) => woo.stockOf(ref),
    calls: () => woo.callsTo("POST", /^\/products\/batch$/).length,
    throttled: () => woo.callsTo("POST", /^\/products\/batch$/).filter((call) => call.status === 429).length,
    close: () => woo.close(),
    directory: (db, redis, masterKey, budgetPrefix) => new SqlPlatformDirectory({ db, redis, masterKey, budgetPrefix, logger: silentLogger }),
    store: (db, masterKey) =>
      saveStore(db, masterKey, {
        platform: "woocommerce",
        domain: `bench-${runId}.example`,
        name: "bench",
        credentials: { url: woo.url, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret },
      }),
  };
}

export async function measureSpike(options: SpikeOptions): Promise<SpikeResult> {
  const { redis, db, runId, platform, items, changes, spikeSeconds, flushIntervalMs, log } = options;
  const target = platform === "shopify" ? await shopifyTarget(runId, items) : await wooTarget(runId, items);
  const masterKey = randomBytes(32);
  const saleId = `bench-wb-${platform}-${runId}`;
  const holds = new HoldEngine(redis);
  const storeId = await target.store(db, masterKey);
  const itemIds = target.refs.map((_, index) => `${saleId}-${index}`);
  await db.sale.create({
    data: {
      id: saleId,
      storeId,
      name: "bench write-back",
      state: "live",
      holdMinutes: 30,
      perCustomerLimit: 0,
      items: { create: itemIds.map((id, position) => ({ id, title: id, allocation: 1_000, platformRef: target.refs[position]!, position })) },
    },
  });
  await holds.defineSale(saleId, { perCustomerLimit: 0, items: itemIds.map((itemId) => ({ itemId, allocation: 1_000 })) });

  const platforms = target.directory(db, redis, masterKey, `bench:${runId}:budget:`);
  const catalog = new PrismaSyncCatalog(db);
  const queues = new HoldfastQueues(redis, { namespace: `bench-wb-${platform}-${runId}` });
  const worker = new WriteBackWorker({
    queues,
    catalog,
    flushIntervalMs,
    writeBack: new StockWriteBack({ redis, holds, catalog, platforms, breakers: platforms, logger: silentLogger }),
    logger: silentLogger,
  });
  const mismatched = async () => {
    const snapshot = await holds.snapshot(saleId);
    return itemIds.filter((itemId, index) => snapshot?.items[itemId]?.available !== target.stock(target.refs[index]!)).length;
  };
  try {
    await worker.start();
    while ((await mismatched()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const maxBatch = (await platforms.forStore(storeId)).maxBatch;
    log(`write-back ${platform}: ${items} items on the platform; spike of ${changes} changes over ${spikeSeconds} s`);

    const callsBefore = target.calls();
    const throttledBefore = target.throttled();
    const started = Date.now();
    const slots = Math.max(1, Math.round(spikeSeconds * 50));
    const perSlot = Math.ceil(changes / slots);
    const heldIds: string[] = [];
    let made = 0;
    let random = 12_345;
    const next = () => (random = (random * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let slot = 0; slot < slots && made < changes; slot += 1) {
      const due = started + ((slot + 1) * spikeSeconds * 1_000) / slots;
      const batch = Math.min(perSlot, changes - made);
      await Promise.all(
        Array.from({ length: batch }, async (_, index) => {
          const itemId = itemIds[Math.floor(next() * itemIds.length)]!;
          const roll = next();
          if (roll < 0.6) {
            const held = await holds.reserve(saleId, {
              lines: [{ itemId, quantity: 1 }],
              customerId: `c${slot}-${index}`,
              ttlMs: 30 * 60_000,
              requestId: `r${slot}-${index}`,
            });
            if (held.outcome === "reserved") heldIds.push(held.holdId);
          } else if (roll < 0.9 && heldIds.length > 0) {
            await holds.release(saleId, heldIds.splice(Math.floor(next() * heldIds.length), 1)[0]!);
          } else {
            await holds.adjust(saleId, itemId, 1);
          }
        }),
      );
      made += batch;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const ended = Date.now();
    const mismatchedAtEnd = await mismatched();
    while ((await mismatched()) > 0) {
      if (Date.now() - ended > 60_000) throw new Error("the platform did not converge within 60 s");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const converged = Date.now();
    const calls = target.calls() - callsBefore;
    const intervals = Math.ceil((converged - started) / flushIntervalMs);
    log(`write-back ${platform}: ${calls} calls, converged ${converged - ended} ms after the spike`);
    return {
      platform,
      items,
      maxBatch,
      changes: made,
      spikeSeconds: (ended - started) / 1_000,
      flushIntervalMs,
      calls,
      idealCalls: intervals * Math.ceil(items / maxBatch),
      callsPer10kChanges: (calls / made) * 10_000,
      throttled: target.throttled() - throttledBefore,
      convergeMs: converged - ended,
      convergeIntervals: (converged - ended) / flushIntervalMs,
      itemsMismatchedAtEnd: mismatchedAtEnd,
    };
  } finally {
    await worker.close();
    await queues.close();
    await target.close();
  }
}

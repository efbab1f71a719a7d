// The store directory against real SQL (a fresh SQLite file), real Redis and the platform
// stand-ins: credentials sealed at rest, adapters built per platform, cached, rebuilt when the
// credentials change, and one breaker per store.
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { UnknownStoreError } from "../../app/core/platform/index.ts";
import type { RedisClient } from "../../app/core/redis.ts";
import { isBreakerOpen } from "../../app/core/resilience/index.ts";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { parseCredentials, saveStore, SqlPlatformDirectory, uninstallStore } from "../../app/stores/directory.server.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { freshDatabase, type TestDatabase } from "../db/databases.ts";
import { CustomStoreStandIn } from "../support/customStore/index.ts";
import { connectTestRedis } from "../support/redis.ts";
import { startShopifyStandIn, type ShopifyStandIn } from "../support/shopify/standIn.ts";
import { WooStandIn } from "../support/woocommerce/index.ts";

const masterKey = randomBytes(32);
const suffix = randomBytes(4).toString("hex");
const SHOP_A = `dir-a-${suffix}.myshopify.com`;
const SHOP_B = `dir-b-${suffix}.myshopify.com`;
const TOKEN_A = `shpat_${randomBytes(12).toString("hex")}`;
const TOKEN_B = `shpat_${randomBytes(12).toString("hex")}`;
const CUSTOM_SECRET = randomBytes(24).toString("hex");

let database: TestDatabase;
let db: Db;
let redis: RedisClient;
let shopify: ShopifyStandIn;
let woo: WooStandIn;
let custom: CustomStoreStandIn;
const logLines: string[] = [];

function directory(overrides: { refreshMs?: number } = {}): SqlPlatformDirectory {
  return new SqlPlatformDirectory({
    db,
    masterKey,
    redis,
    budgetPrefix: `hf:test:budget-${suffix}:`,
    policy: { retries: 0, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 }, timeoutMs: 2_000 },
    shopifyFetch: shopify.fetch,
    logger: {
      info: (m, f) => logLines.push(m + JSON.stringify(f)),
      warn: (m, f) => logLines.push(m + JSON.stringify(f)),
      error: (m, f) => logLines.push(m + JSON.stringify(f)),
    },
    ...overrides,
  });
}

beforeAll(async () => {
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  db = createDb(database.url);
  redis = connectTestRedis();
  shopify = await startShopifyStandIn([
    { domain: SHOP_A, accessToken: TOKEN_A },
    { domain: SHOP_B, accessToken: TOKEN_B },
  ]);
  woo = await new WooStandIn().start();
  custom = await new CustomStoreStandIn({ secret: CUSTOM_SECRET, stock: { "sku-1": 7 } }).start();
});

afterAll(async () => {
  const keys = await redis.keys(`hf:test:budget-${suffix}:*`);
  if (keys.length > 0) for (const key of keys) await redis.unlink(key);
  await redis.quit();
  await db.$disconnect();
  await database.drop();
  await Promise.all([shopify.close(), woo.close(), custom.close()]);
});

describe("saveStore", () => {
  it("seals the credentials: the row holds no secret in clear, and opens only for its own row", async () => {
    const storeId = await saveStore(db, masterKey, { platform: "shopify", domain: SHOP_A, name: "Shop A", credentials: { accessToken: TOKEN_A } });
    const row = await db.store.findUniqueOrThrow({ where: { id: storeId } });
    expect(row.credentialsCiphertext).toMatch(/^v1\./);
    expect(row.credentialsCiphertext).not.toContain(TOKEN_A);
    // The same ciphertext pasted onto another row does not open there.
    const other = await db.store.create({
      data: { platform: "shopify", domain: `copy-${suffix}.myshopify.com`, name: "copy", credentialsCiphertext: row.credentialsCiphertext },
    });
    await expect(directory().forStore(other.id)).rejects.toMatchObject({ code: "sealed_tampered" });
  });

  it("updates the same store (platform + domain) instead of adding one", async () => {
    const first = await saveStore(db, masterKey, {
      platform: "custom",
      domain: `same-${suffix}.example`,
      name: "One",
      credentials: { endpoint: custom.endpoint, secret: CUSTOM_SECRET },
    });
    const second = await saveStore(db, masterKey, {
      platform: "custom",
      domain: `SAME-${suffix}.example`,
      name: "Two",
      credentials: { endpoint: custom.endpoint, secret: CUSTOM_SECRET },
    });
    expect(second).toBe(first);
    expect((await db.store.findUniqueOrThrow({ where: { id: first } })).name).toBe("Two");
  });

  it("refuses bad input with a machine-readable code and writes nothing", async () => {
    const before = await db.store.count();
    const attempts = [
      saveStore(db, masterKey, { platform: "shopify", domain: SHOP_A, name: "x", credentials: { accessToken: "" } }),
      saveStore(db, masterKey, { platform: "shopify", domain: "shop.example.com", name: "x", credentials: { accessToken: "t" } }),
      saveStore(db, masterKey, { platform: "custom", domain: "bad domain", name: "x", credentials: { endpoint: custom.endpoint, secret: CUSTOM_SECRET } }),
      saveStore(db, masterKey, { platform: "custom", domain: "c.example", name: "x", credentials: { endpoint: "ftp://x", secret: CUSTOM_SECRET } }),
      saveStore(db, masterKey, { platform: "woocommerce", domain: "w.example", name: "", credentials: { consumerKey: "ck", consumerSecret: "cs" } }),
    ];
    const codes = await Promise.all(
      attempts.map((attempt) =>
        attempt.then(
          () => "saved",
          (error: { code?: string }) => error.code,
        ),
      ),
    );
    expect(codes).toEqual(["invalid_credentials", "invalid_domain", "invalid_domain", "invalid_credentials", "invalid_name"]);
    expect(await db.store.count()).toBe(before);
  });

  it("names the missing fields, never the values", () => {
    expect(() => parseCredentials("woocommerce", { consumerKey: "ck_secret_value" })).toThrow(/consumerSecret/);
    expect(() => parseCredentials("woocommerce", { consumerKey: "ck_secret_value" })).not.toThrow(/ck_secret_value/);
  });
});

describe("SqlPlatformDirectory", () => {
  it("builds each platform's adapter from the sealed credentials, and they reach their store", async () => {
    const shopItem = shopify.shop(SHOP_A).stock({ available: 11 });
    const shopRef = `gid://shopify/InventoryItem/${shopItem.itemId}@gid://shopify/Location/${shopItem.locationId}`;
    const product = woo.addProduct({ stock: 4 });
    const shopId = await saveStore(db, masterKey, { platform: "shopify", domain: SHOP_A, name: "Shop A", credentials: { accessToken: TOKEN_A } });
    const wooId = await saveStore(db, masterKey, {
      platform: "woocommerce",
      domain: `woo-${suffix}.example`,
      name: "Woo",
      credentials: { url: woo.url, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret },
    });
    const customId = await saveStore(db, masterKey, {
      platform: "custom",
      domain: `custom-${suffix}.example`,
      name: "Custom",
      credentials: { endpoint: custom.endpoint, secret: CUSTOM_SECRET },
    });
    const platforms = directory();

    const shop = await platforms.forStore(shopId);
    expect(shop.kind).toBe("shopify");
    expect(await shop.readStock([shopRef])).toEqual([{ ref: shopRef, available: 11 }]);
    await shop.writeStock([{ ref: shopRef, available: 3 }], `dir-${suffix}`);
    expect(shopify.shop(SHOP_A).level(shopItem.itemId, shopItem.locationId)?.available).toBe(3);

    const store = await platforms.forStore(wooId);
    expect(store.kind).toBe("woocommerce");
    expect(await store.readStock([String(product)])).toEqual([{ ref: String(product), available: 4 }]);

    const headless = await platforms.forStore(customId);
    expect(headless.kind).toBe("custom");
    expect(await headless.readStock(["sku-1"])).toEqual([{ ref: "sku-1", available: 7 }]);
    // No log line carries a credential.
    const logged = logLines.join("\n");
    for (const secret of [TOKEN_A, woo.consumerSecret, CUSTOM_SECRET]) expect(logged).not.toContain(secret);
  });

  it("caches the adapter per store and rebuilds it when the credentials change", async () => {
    const platforms = directory({ refreshMs: 0 });
    const storeId = await saveStore(db, masterKey, { platform: "shopify", domain: SHOP_B, name: "Shop B", credentials: { accessToken: "shpat_wrong" } });
    const first = await platforms.forStore(storeId);
    expect(await platforms.forStore(storeId)).toBe(first);
    const item = shopify.shop(SHOP_B).stock({ available: 2 });
    const ref = `gid://shopify/InventoryItem/${item.itemId}@gid://shopify/Location/${item.locationId}`;
    await expect(first.readStock([ref])).rejects.toMatchObject({ kind: "unauthorized" });

    // Another process (no `directory` passed) reconnects the store: seen on the next look at the row.
    await saveStore(db, masterKey, { platform: "shopify", domain: SHOP_B, name: "Shop B", credentials: { accessToken: TOKEN_B } });
    const second = await platforms.forStore(storeId);
    expect(second).not.toBe(first);
    expect(await second.readStock([ref])).toEqual([{ ref, available: 2 }]);
  });

  it("refuses unknown and uninstalled stores with UnknownStoreError", async () => {
    const platforms = directory();
    await expect(platforms.forStore("st_nope")).rejects.toBeInstanceOf(UnknownStoreError);
    const storeId = await saveStore(db, masterKey, {
      platform: "custom",
      domain: `gone-${suffix}.example`,
      name: "Gone",
      credentials: { endpoint: custom.endpoint, secret: CUSTOM_SECRET },
    });
    await platforms.forStore(storeId);
    await uninstallStore(db, storeId, platforms);
    await expect(platforms.forStore(storeId)).rejects.toMatchObject({ code: "unknown_store" });
  });

  it("opens one store's breaker without touching another store on the same platform", async () => {
    const platforms = directory();
    const downId = await saveStore(db, masterKey, { platform: "shopify", domain: SHOP_A, name: "Shop A", credentials: { accessToken: TOKEN_A } });
    const upId = await saveStore(db, masterKey, { platform: "shopify", domain: SHOP_B, name: "Shop B", credentials: { accessToken: TOKEN_B } });
    const down = await platforms.forStore(downId);
    const up = await platforms.forStore(upId);
    const itemA = shopify.shop(SHOP_A).stock({ available: 1 });
    const itemB = shopify.shop(SHOP_B).stock({ available: 5 });
    const refA = `gid://shopify/InventoryItem/${itemA.itemId}@gid://shopify/Location/${itemA.locationId}`;
    const refB = `gid://shopify/InventoryItem/${itemB.itemId}@gid://shopify/Location/${itemB.locationId}`;
    shopify.shop(SHOP_A).failNext(2, "http500");
    await expect(down.readStock([refA])).rejects.toMatchObject({ kind: "unavailable" });
    await expect(down.readStock([refA])).rejects.toMatchObject({ kind: "unavailable" });
    const refused = await down.readStock([refA]).catch((error: unknown) => error);
    expect(isBreakerOpen(refused)).toBe(true);
    expect(await up.readStock([refB])).toEqual([{ ref: refB, available: 5 }]);
    const states = Object.fromEntries(platforms.breakers().map((breaker) => [breaker.storeId, breaker.state]));
    expect(states[downId]).toBe("open");
    expect(states[upId]).toBe("closed");
  });

  it("wraps WooCommerce in the store's policy: 5xx opens its breaker too", async () => {
    const platforms = directory();
    const product = woo.addProduct({ stock: 9 });
    const storeId = await saveStore(db, masterKey, {
      platform: "woocommerce",
      domain: `woo-breaker-${suffix}.example`,
      name: "Woo",
      credentials: { url: woo.url, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret },
    });
    const store = await platforms.forStore(storeId);
    woo.fail({ status: 503 }, { times: 2 });
    await expect(store.readStock([String(product)])).rejects.toMatchObject({ kind: "unavailable" });
    await expect(store.readStock([String(product)])).rejects.toMatchObject({ kind: "unavailable" });
    expect(isBreakerOpen(await store.readStock([String(product)]).catch((error: unknown) => error))).toBe(true);
    expect(platforms.policyFor(storeId, "woocommerce").state).toBe("open");
  });
});

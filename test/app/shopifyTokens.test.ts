// Expiring offline tokens end to end, against the Shopify stand-in (tokens that expire after a
// few seconds, refused with Shopify's 401 once expired, refreshed at its token endpoint): the
// write-back keeps working past the token's lifetime, two processes refreshing at once make
// one refresh, a refused refresh holds the store's breaker open and shows in /metrics, and no
// log line ever carries a token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { HoldfastMetrics } from "../../app/api/metrics.ts";
import type { Logger } from "../../app/core/logger.ts";
import { PlatformError } from "../../app/core/platform/index.ts";
import { BreakerOpenError } from "../../app/core/resilience/index.ts";
import { openJson, seal } from "../../app/core/secrets/index.ts";
import { saveStore, SqlPlatformDirectory } from "../../app/stores/directory.server.ts";
import { credentialsContext, credentialsFromAnswer, type ShopifyCredentials } from "../../app/stores/shopifyTokens.server.ts";
import { SyncHarness, SYNC_APP } from "../core/sync/harness.ts";

const logLines: string[] = [];
const capture: Logger = {
  info: (message, fields) => logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
  warn: (message, fields) => logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
  error: (message, fields) => logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
};

let short: SyncHarness;
let long: SyncHarness;

beforeAll(async () => {
  // Tokens live 2 s and are refreshed 1 s ahead: a drop outlives many of them.
  short = await SyncHarness.create("tok-short", { expiring: { accessTtlSeconds: 2, refreshAheadMs: 1_000 }, logger: capture, policy: { retries: 2 } });
  // Tokens live an hour; the tests make the stored one due by hand.
  long = await SyncHarness.create("tok-long", {
    expiring: { accessTtlSeconds: 3_600, refreshAheadMs: 60_000 },
    logger: capture,
    policy: { retries: 0, breaker: { consecutiveFailures: 5, halfOpenAfterMs: 60_000 } },
  });
});

afterAll(async () => {
  await short?.close();
  await long?.close();
});

/** Another process: its own store directory (and token keeper) over the same SQL and Redis. */
function otherProcess(h: SyncHarness): SqlPlatformDirectory {
  return new SqlPlatformDirectory({
    db: h.db,
    masterKey: h.masterKey,
    redis: h.redis,
    budgetPrefix: h.budgetPrefix,
    policy: { retries: 0 },
    shopifyFetch: h.shopify.fetch,
    shopifyApp: SYNC_APP,
    tokenRefreshAheadMs: 60_000,
    logger: capture,
  });
}

async function storedCredentials(h: SyncHarness, storeId: string): Promise<{ ciphertext: string; credentials: ShopifyCredentials }> {
  const row = await h.db.store.findUniqueOrThrow({ where: { id: storeId } });
  const ciphertext = row.credentialsCiphertext as string;
  return { ciphertext, credentials: openJson(ciphertext, h.masterKey, credentialsContext(storeId)) as ShopifyCredentials };
}

/** Makes the stored token due for refresh (it expires in a second), as an hour's wait would. */
async function makeDue(h: SyncHarness, storeId: string): Promise<ShopifyCredentials> {
  const { credentials } = await storedCredentials(h, storeId);
  const due = { ...credentials, expiresAt: Date.now() + 1_000 };
  await h.db.store.update({ where: { id: storeId }, data: { credentialsCiphertext: seal(due, h.masterKey, credentialsContext(storeId)) } });
  h.platforms.invalidate(storeId);
  return due;
}

describe("expiring offline tokens", () => {
  it("a drop that outlives its token keeps writing back", async () => {
    const sale = await short.createSale("shopify", 2, 20, 0);
    const firstToken = short.shop.accessToken;
    const startedAt = Date.now();
    let round = 0;
    // Keep selling and writing back until the shop has refreshed the token three times (6+ s of a drop).
    while (short.shop.tokens.refreshes < 3) {
      expect(Date.now() - startedAt, "the token was not refreshed in time").toBeLessThan(120_000);
      const item = sale.items[round % sale.items.length]!;
      const hold = await short.holds.reserve(sale.saleId, {
        lines: [{ itemId: item.itemId, quantity: 1 }],
        customerId: `c${round}`,
        ttlMs: 600_000,
        requestId: `tok-${round}`,
      });
      expect(hold.outcome).toBe("reserved");
      round += 1;
      // What the write-back worker does (a failed flush is tried again on its next tick).
      await expect
        .poll(
          async () => {
            await short.writeBack.flushSale(sale.saleId).catch(() => undefined);
            return short.platformStocks("shopify", sale);
          },
          { timeout: 30_000, interval: 100 },
        )
        .toEqual(await short.holdfastStock(sale));
      await new Promise((resolve) => setTimeout(resolve, 250)); // pacing only: let the token age
    }
    expect(short.shop.tokens.accepts(firstToken)).toBe(false);
    expect(Date.now() - startedAt).toBeGreaterThan(2_000);
    // The pair in SQL is the shop's current one, sealed.
    const { ciphertext, credentials } = await storedCredentials(short, sale.storeId);
    expect(credentials.accessToken).toBe(short.shop.accessToken);
    expect(ciphertext).not.toContain(short.shop.accessToken);
    expect(ciphertext).not.toContain(credentials.refreshToken as string);
  });

  it("two processes refreshing one shop at once make one refresh and share its pair", async () => {
    const storeId = await long.storeFor("shopify");
    const due = await makeDue(long, storeId);
    const before = long.shop.tokens.refreshes;
    const worker = otherProcess(long);
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => long.platforms.tokens.access(storeId)),
      ...Array.from({ length: 4 }, () => worker.tokens.access(storeId)),
    ]);
    expect(long.shop.tokens.refreshes - before).toBe(1);
    expect(new Set(results.map((access) => access?.accessToken))).toEqual(new Set([long.shop.accessToken]));
    expect(long.shop.accessToken).not.toBe(due.accessToken);
    // Both processes' adapters reach the shop with it.
    const ref = long.newRef("shopify", 7);
    expect((await (await worker.forStore(storeId)).readStock([ref]))[0]?.available).toBe(7);
    expect((await (await long.platforms.forStore(storeId)).readStock([ref]))[0]?.available).toBe(7);
    expect(long.shop.tokens.refreshes - before).toBe(1);
  });

  it("a refused refresh opens the store's breaker in every process, counts in /metrics, and a new install ends it", async () => {
    const storeId = await long.storeFor("shopify");
    await makeDue(long, storeId);
    const worker = otherProcess(long);
    long.shop.tokens.refuseRefreshes = true;
    const refusalsBefore = long.shop.tokens.refusals;
    const ref = long.newRef("shopify", 3);

    const platform = await long.platforms.forStore(storeId);
    const refused = await platform.readStock([ref]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PlatformError);
    expect((refused as PlatformError).details.code).toBe("reauthorize");
    expect((refused as PlatformError).message).toMatch(/Open Holdfast from Apps in your Shopify admin/);
    expect(long.platforms.breakers().find((breaker) => breaker.storeId === storeId)?.state).toBe("open");
    // Nothing more is sent to Shopify while the store waits for its merchant.
    await expect(platform.readStock([ref])).rejects.toBeInstanceOf(BreakerOpenError);
    expect(long.shop.tokens.refusals - refusalsBefore).toBe(1);
    expect((await long.db.store.findUniqueOrThrow({ where: { id: storeId } })).tokenRefusedAt).not.toBeNull();
    // Another process learns it from the row, without asking Shopify.
    await expect((await worker.forStore(storeId)).readStock([ref])).rejects.toBeInstanceOf(BreakerOpenError);
    expect(long.shop.tokens.refusals - refusalsBefore).toBe(1);

    const metrics = new HoldfastMetrics({ logger: capture, tokenRefreshes: () => long.platforms.tokens.refreshCounts() });
    expect((await metrics.registry.render()).text).toContain('holdfast_shopify_token_refreshes_total{outcome="refused"} 1');

    // The merchant opens the app: token exchange hands over a new pair (saveStore, as the install does).
    long.shop.tokens.refuseRefreshes = false;
    await saveStore(
      long.db,
      long.masterKey,
      { platform: "shopify", domain: long.shopDomain, name: "Sync shop", credentials: credentialsFromAnswer(long.shop.tokens.issue()) },
      long.platforms,
    );
    expect((await long.db.store.findUniqueOrThrow({ where: { id: storeId } })).tokenRefusedAt).toBeNull();
    expect((await (await long.platforms.forStore(storeId)).readStock([ref]))[0]?.available).toBe(3);
  });

  it("never logs a token", () => {
    const tokens = [...short.shop.tokens.issued, ...long.shop.tokens.issued];
    expect(tokens.length).toBeGreaterThan(6);
    expect(logLines.some((line) => line.includes("token refreshed"))).toBe(true);
    for (const token of tokens) expect(logLines.filter((line) => line.includes(token))).toEqual([]);
  });
});

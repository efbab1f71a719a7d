import { randomBytes } from "node:crypto";

import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";

import { CostBudget, RedisCostBudget } from "../../../app/core/resilience/index.ts";
import { stockRef } from "../../../app/platforms/shopify/index.ts";
import { connectTestRedis } from "../../support/redis.ts";
import { SHOP, shopifyRig, type Rig } from "../../support/shopify/adapter.ts";
import { gid } from "../../support/shopify/standIn.ts";

// A small bucket, so a burst the size of a flash sale's write-back outruns it within a second.
const BUCKET = { maximumAvailable: 100, restoreRate: 400 };
const ITEMS = 60;

let rig: Rig;
beforeEach(async () => {
  rig = await shopifyRig(BUCKET);
  for (let item = 1; item <= ITEMS; item++) rig.shop.stock({ item, location: 1, available: 100 });
});
afterEach(() => rig.close());
const redisA = connectTestRedis();
const redisB = connectTestRedis();
afterAll(async () => {
  await redisA.quit();
  await redisB.quit();
});

const ref = (item: number) => stockRef({ inventoryItemId: gid("InventoryItem", item), locationId: gid("Location", 1) });

describe("Shopify cost budget", () => {
  it("a burst of writes far over the bucket draws zero Throttled answers, and every write lands", async () => {
    const budget = new CostBudget();
    // Separate adapter instances (one per job) for the same shop share the shop's budget.
    const platforms = [rig.platform({ budget }), rig.platform({ budget }), rig.platform({ budget })];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: ITEMS }, (_, i) => {
        const item = i + 1;
        return platforms[i % platforms.length]!.writeStock([{ ref: ref(item), available: item, previous: 100 }], `burst-${item}`);
      }),
    );
    const reads = await Promise.all([
      platforms[0]!.readStock(Array.from({ length: 30 }, (_, i) => ref(i + 1))),
      platforms[1]!.readStock(Array.from({ length: 30 }, (_, i) => ref(i + 31))),
    ]);
    const elapsed = performance.now() - started;

    expect(rig.shop.stats.throttled).toBe(0);
    for (let item = 1; item <= ITEMS; item++) expect(rig.shop.level(item, 1)?.available).toBe(item);
    expect(reads.flat().map((level) => level.available)).toEqual(Array.from({ length: ITEMS }, (_, i) => i + 1));
    // 600 points of writes + 180 of reads through a 100-point bucket at 400 points/s: the
    // budget had to wait (about 1.7 s), it did not just get lucky.
    expect(elapsed).toBeGreaterThan(1_300);
    expect(rig.shop.stats.operations).toEqual({ HoldfastInventorySetQuantities: ITEMS, HoldfastInventoryLevels: 2 });
  });

  it("without a shared mirror (two processes) Throttled answers happen; the policy waits as told and the writes still land", async () => {
    // Each process thinks the whole bucket is its own: 200 points go out at once into a
    // 100-point bucket refilling at 100 points/s.
    rig.shop.bucket.restoreRate = 100;
    const policy = { retries: 8, backoff: { initialDelayMs: 5, maxDelayMs: 2_000 } };
    const a = rig.platform({ budget: new CostBudget(), policy });
    const b = rig.platform({ budget: new CostBudget(), policy });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const item = i + 1;
        return (i % 2 ? a : b).writeStock([{ ref: ref(item), available: 7 }], `two-${item}`);
      }),
    );
    expect(rig.shop.stats.throttled).toBeGreaterThan(0);
    for (let item = 1; item <= 20; item++) expect(rig.shop.level(item, 1)?.available).toBe(7);
  });

  it("two processes sharing the books in Redis draw zero Throttled answers too", async () => {
    const keyPrefix = `hf:budget:t-${randomBytes(5).toString("hex")}:`;
    const a = rig.platform({ budget: new RedisCostBudget(redisA, SHOP, { keyPrefix }) });
    const b = rig.platform({ budget: new RedisCostBudget(redisB, SHOP, { keyPrefix }) });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const item = i + 1;
        return (i % 2 ? a : b).writeStock([{ ref: ref(item), available: 9 }], `shared-${item}`);
      }),
    );
    expect(rig.shop.stats.throttled).toBe(0);
    for (let item = 1; item <= 40; item++) expect(rig.shop.level(item, 1)?.available).toBe(9);
  });
});

import { Cluster } from "ioredis";
import { afterAll, expect, it } from "vitest";

import { HoldEngine } from "../../../app/core/inventory/index.ts";
import { saleInventoryKeys } from "../../../app/core/keys.ts";
import { connectTestRedis, uniqueSaleId } from "../../support/redis.ts";

const redis = connectTestRedis();
afterAll(() => redis.quit());

it("runs against a real multi-master cluster", async () => {
  expect(redis).toBeInstanceOf(Cluster);
  const masters = (redis as Cluster).nodes("master");
  expect(masters).toHaveLength(3);
});

it("keeps every key of a sale in one slot, and spreads sales over the masters", async () => {
  const slotsSeen = new Set<number>();
  for (let i = 0; i < 30; i++) {
    const keys = Object.values(saleInventoryKeys(uniqueSaleId("slot")));
    const slots = await Promise.all(keys.map((key) => redis.cluster("KEYSLOT", key)));
    expect(new Set(slots).size).toBe(1);
    slotsSeen.add(Number(slots[0]) >> 12);
  }
  expect(slotsSeen.size).toBeGreaterThan(1);
});

it("places a sale's data on the master that owns its slot", async () => {
  const saleId = uniqueSaleId("placed");
  await new HoldEngine(redis).defineSale(saleId, { perCustomerLimit: 0, items: [{ itemId: "x", allocation: 1 }] });
  const slot = await redis.cluster("KEYSLOT", saleInventoryKeys(saleId).stock);
  const counts = await Promise.all((redis as Cluster).nodes("master").map((node) => node.cluster("COUNTKEYSINSLOT", slot)));
  expect(counts.filter((count) => Number(count) > 0)).toHaveLength(1);
});

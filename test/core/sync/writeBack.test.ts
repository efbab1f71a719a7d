// Write-back coalescing and echo protection against the Shopify and WooCommerce stand-ins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { writeBackKeys } from "../../../app/core/keys.ts";
import { SyncHarness, type SyncPlatform } from "./harness.ts";

let harness: SyncHarness;

beforeAll(async () => {
  harness = await SyncHarness.create("wb");
});

afterAll(async () => {
  await harness.close();
});

function setCalls(platform: SyncPlatform): number {
  return platform === "shopify"
    ? (harness.shop.stats.operations.HoldfastInventorySetQuantities ?? 0)
    : harness.woo.callsTo("POST", /^\/products\/batch$/).length;
}

describe.each([
  // 300 items: two batches on Shopify (250 a call), three on WooCommerce (100 a call).
  { platform: "shopify" as const, items: 300, maxBatch: 250 },
  { platform: "woocommerce" as const, items: 300, maxBatch: 100 },
])("coalescing on $platform", ({ platform, items, maxBatch }) => {
  it(`turns 2,000 changes across ${items} items into ceil(K / ${maxBatch}) calls and leaves the platform equal to Holdfast`, async () => {
    const sale = await harness.createSale(platform, items, 20, 7);
    // The first flush writes every item: the platform's 7 becomes Holdfast's 20.
    const first = await harness.writeBack.flushSale(sale.saleId);
    expect(first).toMatchObject({ outcome: "written", calls: Math.ceil(items / maxBatch), written: items });

    await harness.churn(sale, 2_000, 7);
    const changed = Object.entries(await harness.holdfastStock(sale)).filter(([, available]) => available !== 20).length;
    const before = setCalls(platform);
    const result = await harness.writeBack.flushSale(sale.saleId);
    expect(result.calls).toBe(Math.ceil(changed / maxBatch));
    expect(setCalls(platform) - before).toBe(Math.ceil(changed / maxBatch));
    expect(harness.platformStocks(platform, sale)).toEqual(await harness.holdfastStock(sale));

    // Nothing changed since: no call at all.
    expect(await harness.writeBack.isDue(sale.saleId)).toBe(false);
    expect(await harness.writeBack.flushSale(sale.saleId)).toMatchObject({ outcome: "unchanged", calls: 0 });
    if (platform === "shopify") expect(harness.shop.stats.throttled).toBe(0);
  });
});

describe("what a flush writes", () => {
  it("writes only the items that changed, with their latest count, under a fresh idempotency key per flush", async () => {
    const sale = await harness.createSale("shopify", 5, 10);
    await harness.writeBack.flushSale(sale.saleId);
    const [a, b] = sale.items;
    for (let n = 0; n < 4; n += 1) await harness.holds.adjust(sale.saleId, a!.itemId, 1);
    await harness.holds.adjust(sale.saleId, b!.itemId, -3);
    expect(await harness.writeBack.isDue(sale.saleId)).toBe(true);
    const keysBefore = new Set(harness.shop.idempotency.keys());
    const result = await harness.writeBack.flushSale(sale.saleId);
    expect(result).toMatchObject({ outcome: "written", calls: 1, written: 2 });
    expect(harness.platformStock("shopify", a!.ref)).toBe(14);
    expect(harness.platformStock("shopify", b!.ref)).toBe(7);
    const fresh = [...harness.shop.idempotency.keys()].filter((key) => !keysBefore.has(key));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toContain(sale.saleId);
  });

  it("sets aside an item the platform refuses for good and still writes the others", async () => {
    const sale = await harness.createSale("shopify", 3, 10);
    // The second item's twin is deleted on Shopify.
    const gone = Number(sale.items[1]!.ref.split("@")[0]!.split("/").pop());
    harness.shop.items.delete(gone);
    const result = await harness.writeBack.flushSale(sale.saleId);
    expect(result.refused).toEqual([sale.items[1]!.itemId]);
    expect(harness.platformStock("shopify", sale.items[0]!.ref)).toBe(10);
    expect(harness.platformStock("shopify", sale.items[2]!.ref)).toBe(10);
    expect(Object.keys(await harness.writeBack.refusedItems(sale.saleId))).toEqual([sale.items[1]!.itemId]);
    // Not retried on every flush...
    await harness.holds.adjust(sale.saleId, sale.items[0]!.itemId, 1);
    expect(await harness.writeBack.flushSale(sale.saleId)).toMatchObject({ calls: 1, written: 1, refused: [] });
  });

  it("runs one flush per sale at a time: a second one is refused as busy, or waits for the first", async () => {
    const sale = await harness.createSale("shopify", 2, 10);
    harness.shop.mutationDelayMs = 400;
    try {
      const first = harness.writeBack.flushSale(sale.saleId);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await expect(harness.writeBack.flushSale(sale.saleId)).rejects.toMatchObject({ kind: "throttled", details: { code: "flush_busy" } });
      const waiting = harness.writeBack.flushSale(sale.saleId, { lockWaitMs: 10_000 });
      expect(await first).toMatchObject({ calls: 1, written: 2 });
      // It ran after the first had written: nothing left to write.
      expect(await waiting).toMatchObject({ outcome: "unchanged", calls: 0 });
    } finally {
      harness.shop.mutationDelayMs = 0;
    }
  });

  it("records every platform call in the write-back log, and prunes old entries", async () => {
    const sale = await harness.createSale("shopify", 3, 10);
    harness.shop.items.delete(Number(sale.items[2]!.ref.split("@")[0]!.split("/").pop()));
    harness.shop.failNext(1, "http500", "HoldfastInventorySetQuantities");
    await expect(harness.writeBack.flushSale(sale.saleId)).rejects.toMatchObject({ kind: "unavailable" });
    await harness.writeBack.flushSale(sale.saleId);
    const entries = (await harness.journal.latest(sale.saleId)).reverse();
    expect(entries.map((entry) => [entry.outcome, entry.items])).toEqual([
      ["failed", 3],
      ["refused", 3],
      ["written", 1],
      ["written", 1],
      ["refused", 1],
    ]);
    expect(entries.every((entry) => entry.storeId === sale.storeId && entry.idempotencyKey.startsWith(`hf-wb-${sale.saleId}-`))).toBe(true);
    expect(await harness.journal.prune(new Date(Date.now() + 1_000))).toBeGreaterThanOrEqual(5);
    expect(await harness.journal.latest(sale.saleId)).toEqual([]);
  });

  it("does nothing for a sale without a store or without stock in Redis", async () => {
    expect(await harness.writeBack.flushSale("t-nosuch-sale")).toMatchObject({ outcome: "no_store", calls: 0 });
  });
});

describe("echo protection and external stock changes", () => {
  it("ignores a stock report of our own write, also a late one of an earlier write", async () => {
    const sale = await harness.createSale("shopify", 1, 10);
    const [item] = sale.items;
    await harness.writeBack.flushSale(sale.saleId);
    await harness.holds.adjust(sale.saleId, item!.itemId, -2);
    await harness.writeBack.flushSale(sale.saleId);
    expect(await harness.intake.receive({ storeId: sale.storeId, ref: item!.ref, available: 8 })).toEqual({ outcome: "echo" });
    expect(await harness.intake.receive({ storeId: sale.storeId, ref: item!.ref, available: 10 })).toEqual({ outcome: "echo" });
    const snapshot = await harness.holds.snapshot(sale.saleId);
    expect(snapshot?.items[item!.itemId]).toMatchObject({ allocated: 8, available: 8 });
    expect(await harness.writeBack.isDue(sale.saleId)).toBe(false);
  });

  it("applies a genuine restock on the platform to the sale, after which the platform already agrees", async () => {
    const sale = await harness.createSale("woocommerce", 1, 10);
    const [item] = sale.items;
    await harness.writeBack.flushSale(sale.saleId);
    // The merchant adds 5 units in WooCommerce.
    const result = await harness.intake.receive({ storeId: sale.storeId, ref: item!.ref, available: 15 });
    expect(result).toEqual({ outcome: "applied", saleId: sale.saleId, itemId: item!.itemId, availableChange: 0, restocked: 5, available: 15 });
    expect((await harness.holds.snapshot(sale.saleId))?.items[item!.itemId]).toMatchObject({ allocated: 15, available: 15 });
    // The ledger moved, so a flush runs; it finds the platform equal and calls nothing.
    expect(await harness.writeBack.flushSale(sale.saleId)).toMatchObject({ outcome: "unchanged", calls: 0 });
  });

  it("takes a decrease no order explains out of the sale at once, and the write-back never writes over it", async () => {
    const sale = await harness.createSale("shopify", 1, 10, 10);
    const [item] = sale.items;
    await harness.writeBack.flushSale(sale.saleId);
    // Someone sells 4 on the platform that Holdfast never hears of as an order (a manual edit, another channel).
    harness.setPlatformStock("shopify", item!.ref, 6);
    // A flush before the report arrives: compare-and-set refuses it, the platform keeps its 6.
    await harness.holds.adjust(sale.saleId, item!.itemId, -1);
    await expect(harness.writeBack.flushSale(sale.saleId)).rejects.toMatchObject({ kind: "conflict" });
    expect(harness.platformStock("shopify", item!.ref)).toBe(6);
    // The flush re-read the platform: its 6 is applied as the report would have been (9 - 4 = 5).
    expect((await harness.holds.snapshot(sale.saleId))?.items[item!.itemId]).toMatchObject({ allocated: 5, available: 5 });
    // The webhook arrives late: the same news changes nothing twice.
    expect(await harness.intake.receive({ storeId: sale.storeId, ref: item!.ref, available: 6 })).toMatchObject({ outcome: "applied", availableChange: 0 });
    expect((await harness.holds.snapshot(sale.saleId))?.items[item!.itemId]).toMatchObject({ allocated: 5, available: 5 });
    expect(await harness.writeBack.flushSale(sale.saleId)).toMatchObject({ calls: 1, written: 1 });
    expect(harness.platformStock("shopify", item!.ref)).toBe(5);
  });

  it("a decrease reported before the flush lowers available, and the flush writes the lower count", async () => {
    const sale = await harness.createSale("woocommerce", 1, 10, 10);
    const [item] = sale.items;
    await harness.writeBack.flushSale(sale.saleId);
    harness.setPlatformStock("woocommerce", item!.ref, 7);
    expect(await harness.intake.receive({ storeId: sale.storeId, ref: item!.ref, available: 7 })).toEqual({
      outcome: "applied",
      saleId: sale.saleId,
      itemId: item!.itemId,
      availableChange: -3,
      restocked: 0,
      available: 7,
    });
    expect(await harness.writeBack.flushSale(sale.saleId)).toMatchObject({ outcome: "unchanged", calls: 0 });
    expect(harness.platformStock("woocommerce", item!.ref)).toBe(7);
  });

  it("answers unknown references and refuses malformed reports with a code", async () => {
    const sale = await harness.createSale("shopify", 1, 10);
    expect(await harness.intake.receive({ storeId: sale.storeId, ref: "gid://shopify/InventoryItem/1@gid://shopify/Location/1", available: 3 })).toEqual({
      outcome: "unknown_ref",
    });
    await expect(harness.intake.receive({ storeId: "bad id", ref: "x", available: 1 })).rejects.toMatchObject({ code: "invalid_store_id" });
    await expect(harness.intake.receive({ storeId: sale.storeId, ref: "", available: 1 })).rejects.toMatchObject({ code: "invalid_ref" });
    await expect(harness.intake.receive({ storeId: sale.storeId, ref: sale.items[0]!.ref, available: 1.5 })).rejects.toMatchObject({
      code: "invalid_available",
    });
    expect(await harness.redis.hgetall(writeBackKeys(sale.saleId).written)).toEqual({});
  });
});

// Write-back, echo protection, the flush lock and reconciliation on a 3-master Redis Cluster:
// every multi-key step stays inside one hash tag (the sale's, or the store's for echoes).
import { afterAll, beforeAll, expect, it } from "vitest";

import { Reconciler } from "../../../app/core/sync/index.ts";
import { SyncHarness } from "./harness.ts";

let h: SyncHarness;
beforeAll(async () => {
  h = await SyncHarness.create("cluster");
});
afterAll(() => h?.close());

it("flushes, recognises echoes, applies restocks and reconciles on a cluster", async () => {
  const sale = await h.createSale("shopify", 260, 10);
  await h.churn(sale, 300, 9);
  expect(await h.writeBack.isDue(sale.saleId)).toBe(true);
  expect(await h.writeBack.flushSale(sale.saleId)).toMatchObject({ outcome: "written", calls: 2, written: 260 });
  expect(h.platformStocks("shopify", sale)).toEqual(await h.holdfastStock(sale));
  expect(await h.writeBack.isDue(sale.saleId)).toBe(false);

  const [item] = sale.items;
  const current = h.platformStock("shopify", item!.ref)!;
  expect(await h.intake.receive({ storeId: sale.storeId, ref: item!.ref, available: current })).toEqual({ outcome: "echo" });
  // The merchant restocks 2 on Shopify, which reports it.
  const [itemId, locationId] = item!.ref.split("@").map((gid) => Number(gid.split("/").pop()));
  h.shop.level(itemId!, locationId!)!.available = current + 2;
  expect(await h.intake.receive({ storeId: sale.storeId, ref: item!.ref, available: current + 2 })).toMatchObject({
    outcome: "applied",
    restocked: 2,
    availableChange: 0,
  });

  const reconciler = new Reconciler({ redis: h.redis, holds: h.holds, catalog: h.catalog, history: h.catalog, platforms: h.platforms, writeBack: h.writeBack });
  expect((await reconciler.reconcile(sale.saleId, { repair: true })).items.flatMap((entry) => entry.drift)).toEqual([]);
});

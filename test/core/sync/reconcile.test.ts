// Reconciliation: every kind of drift between Redis, the ledger, SQL orders and the platform
// is found, and --repair fixes platform stock through the write-back (never Redis).
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { saleInventoryKeys } from "../../../app/core/keys.ts";
import { LedgerPersister, parseLedgerEntry } from "../../../app/core/ledger/index.ts";
import { Reconciler, type DriftKind, type Reconciliation } from "../../../app/core/sync/index.ts";
import { PrismaLedgerStore } from "../../../app/db/PrismaLedgerStore.ts";
import { SyncHarness, type SyncedSale } from "./harness.ts";

let h: SyncHarness;
let reconciler: Reconciler;
let persister: LedgerPersister;

beforeAll(async () => {
  h = await SyncHarness.create("rec");
  reconciler = new Reconciler({ redis: h.redis, holds: h.holds, catalog: h.catalog, history: h.catalog, platforms: h.platforms, writeBack: h.writeBack });
  const store = new PrismaLedgerStore(h.db);
  persister = new LedgerPersister(h.redis, store, store);
});
afterAll(() => h?.close());

function kinds(report: Reconciliation): Record<string, DriftKind[]> {
  return Object.fromEntries(report.items.filter((item) => item.drift.length > 0).map((item) => [item.itemId, item.drift.map((drift) => drift.kind)]));
}

/** A sale with some holds, commits (with their SQL orders), a take and a restock, written back and persisted. */
async function busySale(platform: "shopify" | "woocommerce" = "shopify"): Promise<SyncedSale> {
  const sale = await h.createSale(platform, 3, 20);
  const [a, b] = sale.items;
  for (let n = 0; n < 4; n += 1) {
    const hold = await h.holds.reserve(sale.saleId, { lines: [{ itemId: a!.itemId, quantity: 1 }], customerId: `c${n}`, ttlMs: 600_000, requestId: `r${n}` });
    if (hold.outcome !== "reserved") throw new Error("reserve failed");
    if (n < 2) {
      await h.holds.commit(sale.saleId, hold.holdId, `o${n}`);
      await h.db.order.create({
        data: {
          saleId: sale.saleId,
          platformOrderRef: `o${n}`,
          holdId: hold.holdId,
          status: "committed",
          linesJson: JSON.stringify([{ itemId: a!.itemId, quantity: 1 }]),
        },
      });
    } else if (n === 2) {
      await h.holds.release(sale.saleId, hold.holdId);
    }
  }
  await h.holds.take(sale.saleId, { lines: [{ itemId: b!.itemId, quantity: 2 }], orderRef: "o-bypass" });
  await h.db.order.create({
    data: { saleId: sale.saleId, platformOrderRef: "o-bypass", status: "taken", bypass: true, linesJson: JSON.stringify([{ itemId: b!.itemId, quantity: 2 }]) },
  });
  await h.holds.adjust(sale.saleId, b!.itemId, 5);
  await persister.persistSale(sale.saleId);
  await h.writeBack.flushSale(sale.saleId);
  return sale;
}

describe("reconcile", () => {
  it("finds nothing on a consistent sale, counting ledger entries not yet persisted from the stream", async () => {
    const sale = await busySale();
    const clean = await reconciler.reconcile(sale.saleId);
    expect(clean).toMatchObject({ driftCount: 0, settled: true, ledgerUnpersisted: 0, platformSkipped: null });
    const a = clean.items.find((item) => item.itemId === sale.items[0]!.itemId);
    expect(a).toMatchObject({
      redis: { allocated: 20, available: 17, held: 1, sold: 2 },
      ledger: { allocated: 20, available: 17, held: 1, sold: 2 },
      ordersSold: 2,
      platform: 17,
    });

    // Changes the persister has not copied yet still add up, from the stream.
    await h.holds.adjust(sale.saleId, sale.items[2]!.itemId, -4);
    await h.writeBack.flushSale(sale.saleId);
    const later = await reconciler.reconcile(sale.saleId);
    expect(later).toMatchObject({ driftCount: 0, ledgerUnpersisted: 1 });
  });

  it("reports Redis counters that disagree with the ledger, and a broken invariant", async () => {
    const sale = await busySale();
    const [a, b] = sale.items;
    const stock = saleInventoryKeys(sale.saleId).stock;
    // a: allocated and available both one higher than the ledger says (the invariant still holds).
    await h.redis.hincrby(stock, `${a!.itemId}:alloc`, 1);
    await h.redis.hincrby(stock, `${a!.itemId}:avail`, 1);
    // b: held one lower than it should be: available + held + sold != allocated.
    await h.redis.hincrby(stock, `${b!.itemId}:held`, -1);
    await h.writeBack.flushSale(sale.saleId);
    const report = await reconciler.reconcile(sale.saleId);
    expect(kinds(report)).toEqual({ [a!.itemId]: ["ledger"], [b!.itemId]: ["invariant", "ledger"] });
    // Repair never touches Redis.
    await reconciler.reconcile(sale.saleId, { repair: true });
    expect((await h.holds.snapshot(sale.saleId))?.items[a!.itemId]).toMatchObject({ allocated: 21, available: 18 });
  });

  it("reports sold units that SQL orders do not account for", async () => {
    const sale = await busySale();
    const [, , c] = sale.items;
    await h.holds.take(sale.saleId, { lines: [{ itemId: c!.itemId, quantity: 1 }], orderRef: "o-unrecorded" });
    await h.writeBack.flushSale(sale.saleId);
    const report = await reconciler.reconcile(sale.saleId);
    expect(kinds(report)).toEqual({ [c!.itemId]: ["orders"] });
    expect(report.items.find((item) => item.itemId === c!.itemId)).toMatchObject({ ordersSold: 0, redis: { sold: 1 } });
  });

  it("counts the units an oversold order did get as sold, and the oversell itself as no drift", async () => {
    const sale = await busySale();
    const [, , c] = sale.items;
    const available = (await h.holds.snapshot(sale.saleId))!.items[c!.itemId]!.available;
    const settled = await h.holds.settleOrder(sale.saleId, { orderRef: "o-over", holdIds: [], lines: [{ itemId: c!.itemId, quantity: available + 3 }] });
    if (settled.outcome !== "settled") throw new Error(settled.outcome);
    expect(settled.oversold).toEqual([{ itemId: c!.itemId, quantity: 3 }]);
    await h.db.order.create({
      data: {
        saleId: sale.saleId,
        platformOrderRef: "o-over",
        status: "oversold_on_platform",
        bypass: true,
        linesJson: JSON.stringify(settled.taken),
        oversoldLinesJson: JSON.stringify(settled.oversold),
      },
    });
    await h.writeBack.flushSale(sale.saleId);
    const report = await reconciler.reconcile(sale.saleId);
    expect(kinds(report)).toEqual({});
  });

  it.each(["shopify", "woocommerce"] as const)("reports platform drift on %s, and --repair writes Holdfast's count back", async (platform) => {
    const sale = await busySale(platform);
    const [a, b] = sale.items;
    // Someone changes the platform behind Holdfast's back, and no webhook says so.
    if (platform === "shopify") {
      const [item, location] = a!.ref.split("@").map((gid) => Number(gid.split("/").pop()));
      h.shop.level(item!, location!)!.available = 99;
    } else {
      await h.platforms.forStore(sale.storeId).then((store) => store.writeStock([{ ref: a!.ref, available: 99 }], "outside"));
    }
    // b has a change the write-back has not flushed yet: pending, not drift.
    await h.holds.adjust(sale.saleId, b!.itemId, 1);
    const report = await reconciler.reconcile(sale.saleId);
    expect(kinds(report)).toEqual({ [a!.itemId]: ["platform"] });
    expect(report.items.find((item) => item.itemId === b!.itemId)?.writeBackPending).toBe(true);

    const repaired = await reconciler.reconcile(sale.saleId, { repair: true });
    expect(repaired.repair?.items.sort()).toEqual([a!.itemId, b!.itemId].sort());
    expect(repaired.repair?.flush).toMatchObject({ calls: 1, written: 2 });
    expect(h.platformStocks(platform, sale)).toEqual(await h.holdfastStock(sale));
    expect((await reconciler.reconcile(sale.saleId)).driftCount).toBe(0);
  });

  it("reports an item the platform no longer knows, and one it refuses", async () => {
    const sale = await busySale();
    const [a] = sale.items;
    h.shop.items.delete(Number(a!.ref.split("@")[0]!.split("/").pop()));
    await h.holds.adjust(sale.saleId, a!.itemId, 1);
    await h.writeBack.flushSale(sale.saleId);
    const report = await reconciler.reconcile(sale.saleId);
    expect(kinds(report)).toEqual({ [a!.itemId]: ["platform_missing", "refused"] });
  });

  it("counts every hold of a reserve call's one stream entry once, before and after it is persisted", async () => {
    const sale = await busySale();
    const [a, b] = sale.items;
    const cart = (index: number) => (index % 2 ? [{ itemId: a!.itemId, quantity: 1 }] : [{ itemId: b!.itemId, quantity: 2 }]);
    const ledgerKey = saleInventoryKeys(sale.saleId).ledger;
    const entries = await h.redis.xlen(ledgerKey);
    const results = await Promise.all(
      [0, 1, 2, 3].map((index) => h.holds.reserve(sale.saleId, { lines: cart(index), customerId: `batch${index}`, ttlMs: 600_000, requestId: "r" })),
    );
    expect(results.map((result) => result.outcome)).toEqual(["reserved", "reserved", "reserved", "reserved"]);
    expect(await h.redis.xlen(ledgerKey)).toBe(entries + 1);
    await h.writeBack.flushSale(sale.saleId);
    const before = await reconciler.reconcile(sale.saleId);
    expect(before).toMatchObject({ driftCount: 0, ledgerUnpersisted: 4 });
    expect(before.items.find((item) => item.itemId === a!.itemId)?.ledger).toMatchObject({ held: 1 + 2 });
    await persister.persistSale(sale.saleId);
    expect(await reconciler.reconcile(sale.saleId)).toMatchObject({ driftCount: 0, ledgerUnpersisted: 0 });
  });

  it("does not count twice the events of a replaced entry that SQL already holds", async () => {
    const sale = await busySale();
    const [a] = sale.items;
    const ledgerKey = saleInventoryKeys(sale.saleId).ledger;
    await Promise.all(
      ["ann", "bob", "cy"].map((customerId) =>
        h.holds.reserve(sale.saleId, { lines: [{ itemId: a!.itemId, quantity: 1 }], customerId, ttlMs: 600_000, requestId: "r" }),
      ),
    );
    // Persisted but not trimmed (a persister stopped in between), then bob is forgotten: the
    // entry carrying ann's and cy's holds again follows everything SQL holds.
    const raw = await h.redis.xrange(ledgerKey, "-", "+");
    await new PrismaLedgerStore(h.db).append(
      sale.saleId,
      raw.flatMap(([id, fields]) => parseLedgerEntry(id, fields)),
    );
    expect((await h.holds.forgetCustomer(sale.saleId, "bob", [])).ledgerEntries).toBe(1);
    await h.writeBack.flushSale(sale.saleId);
    const report = await reconciler.reconcile(sale.saleId);
    expect(report).toMatchObject({ driftCount: 0, ledgerUnpersisted: 0 });
    expect(report.items.find((item) => item.itemId === a!.itemId)?.ledger).toMatchObject({ held: 1 + 3 });
  });

  it("refuses a sale with no stock in Redis", async () => {
    await expect(reconciler.reconcile("t-never-defined")).rejects.toMatchObject({ code: "sale_not_found" });
  });
});

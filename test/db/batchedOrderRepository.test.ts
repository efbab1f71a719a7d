// BatchedOrderRepository on a real SQLite file and a real PostgreSQL database: shared
// statements, call order within a flush, a bad row failing alone, the sale cache's bound.
import { beforeAll, describe, expect, it } from "vitest";

import type { OrderRecord } from "../../app/core/orders/index.ts";
import { BatchedOrderRepository, SALE_CACHE_MS, type FlushReport } from "../../app/db/BatchedOrderRepository.ts";
import { PrismaOrderRepository } from "../../app/db/PrismaOrderRepository.ts";
import type { Db } from "../../app/db/client.server.ts";
import { countingOperations, KINDS, queryRows, type TestDatabase } from "./databases.ts";
import { migratedDatabaseForSuite } from "./suiteDatabase.ts";

function order(saleId: string, platformOrderRef: string, fields: Partial<OrderRecord> = {}): OrderRecord {
  return {
    saleId,
    platformOrderRef,
    status: "committed",
    holdId: `h-${platformOrderRef}`,
    customerRef: `c-${platformOrderRef}`,
    lines: [{ itemId: "sku", quantity: 1 }],
    bypass: false,
    ...fields,
  };
}

describe.each(KINDS)("BatchedOrderRepository on %s", (kind) => {
  let database: TestDatabase;
  let db: Db;
  let saleCounter = 0;

  const suite = migratedDatabaseForSuite(kind);
  beforeAll(() => {
    ({ database, db } = suite);
  });

  async function newSale(bypassPolicy = "flag"): Promise<string> {
    saleCounter += 1;
    const id = `sale-${saleCounter}`;
    await db.sale.create({ data: { id, name: id, state: "live", holdMinutes: 10, perCustomerLimit: 0, bypassPolicy } });
    return id;
  }

  /** A repository whose flushes are reported and whose Prisma operations are listed as they are sent. */
  function repositoryWithReports(): { repository: BatchedOrderRepository; flushes: FlushReport[]; operations: string[] } {
    const flushes: FlushReport[] = [];
    const { db: counted, operations } = countingOperations(db);
    return { repository: new BatchedOrderRepository(counted, { onFlush: (flush) => flushes.push(flush) }), flushes, operations };
  }

  it("writes concurrent saves of different orders in one statement, every row right", async () => {
    const saleId = await newSale();
    const { repository, flushes, operations } = repositoryWithReports();
    const orders = Array.from({ length: 25 }, (_, index) =>
      order(saleId, `#${index}`, index % 2 ? { status: "taken", bypass: true, bypassLines: [{ itemId: "sku", quantity: 1 }], holdId: null } : {}),
    );
    await Promise.all(orders.map((each) => repository.save(each)));
    expect(flushes).toEqual([{ finds: 0, saves: 25, retriedSingly: false }]);
    expect(operations).toEqual(["$executeRawUnsafe"]);

    // Read back through the plain repository (its own statements), and the row count in SQL.
    const plain = new PrismaOrderRepository(db);
    for (const each of orders) expect(await plain.find(saleId, each.platformOrderRef)).toEqual(each);
    expect(await queryRows(database, `SELECT COUNT(*) AS n FROM "Order" WHERE "saleId" = '${saleId}'`)).toEqual([{ n: kind === "sqlite" ? 25 : "25" }]);

    // Saving again replaces the rows, in one statement again, and keeps what save() does not own.
    await db.order.update({ where: { saleId_platformOrderRef: { saleId, platformOrderRef: "#0" } }, data: { failureReason: "kept" } });
    const before = await db.order.findUniqueOrThrow({ where: { saleId_platformOrderRef: { saleId, platformOrderRef: "#0" } } });
    const cancelled = orders.map((each) => ({ ...each, status: "cancelled_after_sale" as const }));
    await Promise.all(cancelled.map((each) => repository.save(each)));
    expect(flushes.at(-1)).toEqual({ finds: 0, saves: 25, retriedSingly: false });
    for (const each of cancelled) expect(await plain.find(saleId, each.platformOrderRef)).toEqual(each);
    const after = await db.order.findUniqueOrThrow({ where: { saleId_platformOrderRef: { saleId, platformOrderRef: "#0" } } });
    expect(after).toMatchObject({ id: before.id, createdAt: before.createdAt, failureReason: "kept", status: "cancelled_after_sale" });
  });

  it("looks up concurrent finds in one statement", async () => {
    const saleId = await newSale();
    const other = await newSale();
    const plain = new PrismaOrderRepository(db);
    await plain.save(order(saleId, "A"));
    await plain.save(order(other, "B", { status: "flagged", bypass: true, bypassLines: [{ itemId: "sku", quantity: 2 }] }));
    const { repository, flushes, operations } = repositoryWithReports();
    const found = await Promise.all([
      repository.find(saleId, "A"),
      repository.find(other, "B"),
      repository.find(saleId, "missing"),
      repository.find(other, "A"),
    ]);
    expect(found).toEqual([
      order(saleId, "A"),
      order(other, "B", { status: "flagged", bypass: true, bypassLines: [{ itemId: "sku", quantity: 2 }] }),
      null,
      null,
    ]);
    expect(flushes).toEqual([{ finds: 4, saves: 0, retriedSingly: false }]);
    expect(operations).toEqual(["findMany"]);
  });

  it("runs calls on the same order in call order, as if one after the other", async () => {
    const saleId = await newSale();
    const { repository, flushes } = repositoryWithReports();
    const first = order(saleId, "X");
    const second = order(saleId, "X", { status: "cancelled_after_sale" });
    const [before, , between, , last, otherOrder] = await Promise.all([
      repository.find(saleId, "X"),
      repository.save(first),
      repository.find(saleId, "X"),
      repository.save(second),
      repository.find(saleId, "X"),
      repository.save(order(saleId, "Y")),
    ]);
    expect(before).toBeNull();
    expect(between).toEqual(first);
    expect(last).toEqual(second);
    expect(otherOrder).toBeUndefined();
    expect(await new PrismaOrderRepository(db).find(saleId, "Y")).toEqual(order(saleId, "Y"));
    // Every further call on X starts a new flush; Y rides with X's last one.
    expect(flushes.map(({ finds, saves }) => [finds, saves])).toEqual([
      [1, 0],
      [0, 1],
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
  });

  it("fails only the save whose row the database refuses, and keeps the others", async () => {
    const saleId = await newSale();
    const { repository, flushes } = repositoryWithReports();
    // An order of a sale that does not exist breaks the foreign key: the shared statement fails.
    const results = await Promise.allSettled([
      repository.save(order(saleId, "good-1")),
      repository.save(order("no-such-sale", "bad")),
      repository.save(order(saleId, "good-2")),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(flushes).toEqual([{ finds: 0, saves: 3, retriedSingly: true }]);
    const rows = await db.order.findMany({ where: { platformOrderRef: { in: ["good-1", "bad", "good-2"] } }, orderBy: { platformOrderRef: "asc" } });
    expect(rows.map((row) => [row.saleId, row.platformOrderRef])).toEqual([
      [saleId, "good-1"],
      [saleId, "good-2"],
    ]);
    // The repository keeps working after a failed flush.
    await repository.save(order(saleId, "good-3"));
    expect(await repository.find(saleId, "good-3")).toEqual(order(saleId, "good-3"));
  });

  it("caps a flush at maxRows orders and carries the rest in the next", async () => {
    const saleId = await newSale();
    const flushes: FlushReport[] = [];
    const repository = new BatchedOrderRepository(db, { maxRows: 4, onFlush: (flush) => flushes.push(flush) });
    await Promise.all(Array.from({ length: 10 }, (_, index) => repository.save(order(saleId, `m${index}`))));
    expect(flushes.map((flush) => flush.saves)).toEqual([4, 4, 2]);
    expect(await db.order.count({ where: { saleId } })).toBe(10);
  });

  it("reuses a sale's policy for SALE_CACHE_MS at most, and never caches a missing sale", async () => {
    const saleId = await newSale("flag");
    let now = 1_000_000;
    const repository = new BatchedOrderRepository(db, { clock: { now: () => now } });
    expect(await repository.findSale(saleId)).toEqual({ id: saleId, storeId: null, bypassPolicy: "flag" });
    await db.sale.update({ where: { id: saleId }, data: { bypassPolicy: "cancel" } });
    now += SALE_CACHE_MS - 1;
    expect((await repository.findSale(saleId))?.bypassPolicy).toBe("flag");
    now += 1;
    expect((await repository.findSale(saleId))?.bypassPolicy).toBe("cancel");

    const late = `late-${saleCounter}`;
    expect(await repository.findSale(late)).toBeNull();
    await db.sale.create({ data: { id: late, name: late, state: "live", holdMinutes: 10, perCustomerLimit: 0 } });
    expect(await repository.findSale(late)).toMatchObject({ id: late });
  });
});

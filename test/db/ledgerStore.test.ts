// PrismaLedgerStore.append on a real SQLite file and a real PostgreSQL database: entries
// another persister stored meanwhile are skipped in the same statement, the rest stored once.
import { beforeAll, describe, expect, it } from "vitest";

import type { LedgerEntry } from "../../app/core/ledger/index.ts";
import { PrismaLedgerStore } from "../../app/db/PrismaLedgerStore.ts";
import type { Db } from "../../app/db/client.server.ts";
import { countingOperations, KINDS } from "./databases.ts";
import { migratedDatabaseForSuite } from "./suiteDatabase.ts";

const START = 1_764_331_200_000;

function entry(index: number): LedgerEntry {
  return {
    streamId: `${START + Math.floor(index / 3)}-${index % 3}`,
    part: 0,
    type: index % 2 ? "commit" : "reserve",
    occurredAt: START + Math.floor(index / 3),
    holdId: `h${index}`,
    orderRef: index % 2 ? `o${index}` : null,
    customerRef: null,
    lines: [{ itemId: "sku", quantity: 1 + (index % 4) }],
  };
}

describe.each(KINDS)("PrismaLedgerStore on %s", (kind) => {
  let db: Db;
  const suite = migratedDatabaseForSuite(kind);
  beforeAll(() => {
    db = suite.db;
  });

  it("stores only the entries another persister did not store, each once, with its fields", async () => {
    const saleId = `ledger-${kind}`;
    await db.sale.create({ data: { id: saleId, name: saleId, state: "live", holdMinutes: 10, perCustomerLimit: 0 } });
    const entries = Array.from({ length: 1_203 }, (_, index) => entry(index));
    // Counts what the store sends: a per-row fallback would show up as hundreds of operations.
    const { db: counted, operations: statements } = countingOperations(db);
    const ours = new PrismaLedgerStore(counted);
    const theirs = new PrismaLedgerStore(db);
    // The other persister got every third entry in first (scattered, so every chunk overlaps).
    expect(
      await theirs.append(
        saleId,
        entries.filter((_, index) => index % 3 === 0),
      ),
    ).toBe(401);
    expect(await ours.append(saleId, entries)).toBe(802);
    // 1,203 entries: two statements of at most 1,000 rows, nothing else.
    expect(statements).toEqual(["$executeRawUnsafe", "$executeRawUnsafe"]);
    expect(await ours.append(saleId, entries)).toBe(0);

    const rows = await db.ledgerEvent.findMany({ where: { saleId } });
    expect(rows).toHaveLength(1_203);
    expect(new Set(rows.map((row) => row.streamId)).size).toBe(1_203);
    const sample = rows.find((row) => row.streamId === entries[7]!.streamId);
    expect(sample).toMatchObject({
      type: "commit",
      holdId: "h7",
      orderRef: "o7",
      customerRef: null,
      linesJson: JSON.stringify([{ itemId: "sku", quantity: 4 }]),
      occurredAt: new Date(entries[7]!.occurredAt),
    });
    expect(await ours.lastStreamId(saleId)).toBe(entries.at(-1)!.streamId);
  });

  it("stores the events of one stream entry by their parts, never splitting an entry between statements", async () => {
    const saleId = `ledger-parts-${kind}`;
    await db.sale.create({ data: { id: saleId, name: saleId, state: "live", holdMinutes: 10, perCustomerLimit: 0 } });
    // 998 one-event entries, then an entry of 5 events (a batched reserve call) across the 1,000-row mark.
    const entries = [
      ...Array.from({ length: 998 }, (_, index) => entry(index * 3)),
      ...Array.from({ length: 5 }, (_, part): LedgerEntry => ({ ...entry(0), streamId: `${START + 5_000}-0`, part, holdId: `batch-${part}` })),
    ];
    const rowsPerStatement: number[] = [];
    const counted = db.$extends({
      query: {
        async $allOperations({ operation, args, query }) {
          // $executeRawUnsafe's arguments: the SQL, then one parameter per column of each row.
          if (operation === "$executeRawUnsafe") rowsPerStatement.push(((args as unknown[]).length - 1) / 9);
          return query(args);
        },
      },
    }) as unknown as Db;
    const store = new PrismaLedgerStore(counted);
    expect(await store.append(saleId, entries)).toBe(1_003);
    expect(rowsPerStatement).toEqual([998, 5]);
    expect(await store.append(saleId, entries.slice(-5))).toBe(0);
    expect(await db.ledgerEvent.count({ where: { saleId, streamId: `${START + 5_000}-0` } })).toBe(5);
    expect(await store.lastStreamId(saleId)).toBe(`${START + 5_000}-0`);
  });

  it("fails the batch, storing nothing of it, when a row is refused for another reason", async () => {
    await expect(new PrismaLedgerStore(db).append("no-such-sale", [entry(0), entry(1)])).rejects.toThrow();
    expect(await db.ledgerEvent.count({ where: { saleId: "no-such-sale" } })).toBe(0);
  });
});

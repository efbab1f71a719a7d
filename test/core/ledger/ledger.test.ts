import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { HoldEngine } from "../../../app/core/inventory/index.ts";
import { saleInventoryKeys } from "../../../app/core/keys.ts";
import { compareStreamIds, LedgerPersister, nextStreamId, parseLedgerEntry, type LedgerEntry } from "../../../app/core/ledger/index.ts";
import { replacementFields } from "../../../app/core/ledger/ledgerEntries.ts";
import type { RedisClient } from "../../../app/core/redis.ts";
import { PrismaLedgerStore } from "../../../app/db/PrismaLedgerStore.ts";
import { createDb, type Db } from "../../../app/db/client.server.ts";
import { migrateDatabase } from "../../../app/db/migrate.server.ts";
import { freshDatabase, type TestDatabase } from "../../db/databases.ts";
import { connectTestRedis, uniqueSaleId } from "../../support/redis.ts";

let database: TestDatabase;
let db: Db;
let redis: RedisClient;
let holds: HoldEngine;
beforeAll(async () => {
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  db = createDb(database.url);
  redis = connectTestRedis();
  holds = new HoldEngine(redis);
});
afterAll(async () => {
  await redis?.quit();
  await db?.$disconnect();
  await database?.drop();
});

async function liveSale(label: string, state = "live"): Promise<string> {
  const saleId = uniqueSaleId(label);
  await db.sale.create({ data: { id: saleId, name: label, state, holdMinutes: 10, perCustomerLimit: 0 } });
  await holds.defineSale(saleId, {
    perCustomerLimit: 0,
    items: [
      { itemId: "a", allocation: 10 },
      { itemId: "b", allocation: 5 },
    ],
  });
  return saleId;
}

/** A few changes of every kind: reserve, commit, take, release, adjust. */
async function trade(saleId: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const customerId = `c${i}-${Math.random().toString(36).slice(2, 8)}`;
    const reserved = await holds.reserve(saleId, {
      lines: [
        { itemId: "a", quantity: 1 },
        { itemId: "b", quantity: 1 },
      ],
      customerId,
      ttlMs: 60_000,
      requestId: customerId,
    });
    if (reserved.outcome !== "reserved") throw new Error(JSON.stringify(reserved));
    if (i % 2 === 0) await holds.commit(saleId, reserved.holdId, `o-${customerId}`);
    else await holds.release(saleId, reserved.holdId);
  }
}

async function persistedRows(saleId: string) {
  return db.ledgerEvent.findMany({ where: { saleId }, orderBy: { id: "asc" } });
}

it("persists every entry exactly once across passes and a restart, and trims what SQL holds", async () => {
  const saleId = await liveSale("ledger");
  const ledgerKey = saleInventoryKeys(saleId).ledger;
  await trade(saleId, 3);
  const firstEntries = await redis.xrange(ledgerKey, "-", "+");
  // 2 allocations + 3 reserves + 2 commits + 1 release
  expect(firstEntries).toHaveLength(8);

  const store = new PrismaLedgerStore(db);
  const persister = new LedgerPersister(redis, store, { salesWithLedger: async () => [saleId] }, { batchSize: 3 });
  expect(await persister.runOnce()).toBe(8);
  expect(await redis.xlen(ledgerKey)).toBe(0);
  expect(await persister.runOnce()).toBe(0);

  await trade(saleId, 2);
  await holds.adjust(saleId, "b", 2);
  // A new persister over the same database: what a restarted worker does.
  const restarted = new LedgerPersister(redis, new PrismaLedgerStore(db), { salesWithLedger: async () => [saleId] });
  expect(await restarted.runOnce()).toBe(5);
  expect(await restarted.runOnce()).toBe(0);
  expect(await redis.xlen(ledgerKey)).toBe(0);

  const rows = await persistedRows(saleId);
  expect(rows).toHaveLength(13);
  expect(new Set(rows.map((row) => row.streamId)).size).toBe(13);
  const streamIds = rows.map((row) => row.streamId);
  expect([...streamIds].sort(compareStreamIds)).toEqual(streamIds);
  const trades = ["reserve", "commit", "reserve", "release"];
  expect(rows.map((row) => row.type)).toEqual(["allocate", "allocate", ...trades, "reserve", "commit", ...trades, "adjust"]);
  const commit = rows.find((row) => row.type === "commit");
  expect(commit).toMatchObject({ orderRef: expect.stringMatching(/^o-c0-/), customerRef: expect.stringMatching(/^c0-/), holdId: expect.any(String) });
  expect(JSON.parse(commit?.linesJson ?? "")).toEqual([
    { itemId: "a", quantity: 1 },
    { itemId: "b", quantity: 1 },
  ]);
  const adjust = rows.find((row) => row.type === "adjust");
  expect(adjust).toMatchObject({ holdId: null, orderRef: null, customerRef: null, linesJson: JSON.stringify([{ itemId: "b", quantity: 2 }]) });
  expect(await store.lastStreamId(saleId)).toBe(streamIds.at(-1));
});

it("resumes exactly after a crash between the SQL write and the trim", async () => {
  const saleId = await liveSale("ledger-crash");
  const ledgerKey = saleInventoryKeys(saleId).ledger;
  await trade(saleId, 2);
  const store = new PrismaLedgerStore(db);
  // The crash: the first four entries reached SQL, the trim never ran.
  const raw = await redis.xrange(ledgerKey, "-", "+");
  await store.append(
    saleId,
    raw.slice(0, 4).flatMap(([id, fields]) => parseLedgerEntry(id, fields)),
  );
  expect(await redis.xlen(ledgerKey)).toBe(raw.length);

  const persister = new LedgerPersister(redis, store, { salesWithLedger: async () => [saleId] });
  expect(await persister.persistSale(saleId)).toEqual({ persisted: raw.length - 4, lastStreamId: raw.at(-1)?.[0] });
  expect(await redis.xlen(ledgerKey)).toBe(0);
  expect((await persistedRows(saleId)).map((row) => row.streamId)).toEqual(raw.map(([id]) => id));
  // Storing the same entries again changes nothing.
  expect(
    await store.append(
      saleId,
      raw.flatMap(([id, fields]) => parseLedgerEntry(id, fields)),
    ),
  ).toBe(0);
});

it("runs as a loop over the sales SQL knows, skipping drafts and sales that ended long ago", async () => {
  const live = await liveSale("ledger-loop");
  const endedLongAgo = await liveSale("ledger-old", "ended");
  await db.sale.update({ where: { id: endedLongAgo }, data: { updatedAt: new Date(Date.now() - 30 * 24 * 3600_000) } });
  const draft = uniqueSaleId("ledger-draft");
  await db.sale.create({ data: { id: draft, name: "draft", state: "draft", holdMinutes: 10, perCustomerLimit: 0 } });
  const store = new PrismaLedgerStore(db);
  const sales = await store.salesWithLedger();
  expect(sales).toContain(live);
  expect(sales).not.toContain(endedLongAgo);
  expect(sales).not.toContain(draft);

  const persister = new LedgerPersister(redis, store, store, { intervalMs: 20 });
  persister.start();
  try {
    await trade(live, 1);
    const deadline = Date.now() + 10_000;
    while ((await persistedRows(live)).length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await persistedRows(live)).toHaveLength(4);
  } finally {
    await persister.stop();
  }
  expect(await redis.xlen(saleInventoryKeys(live).ledger)).toBe(0);
});

describe("stream ids", () => {
  it("compare as numbers, not text", () => {
    expect(compareStreamIds("1764331200000-10", "1764331200000-9")).toBe(1);
    expect(compareStreamIds("1764331200001-0", "1764331200000-99")).toBe(1);
    expect(nextStreamId("1764331200000-9")).toBe("1764331200000-10");
  });

  it("the store resumes from the greatest id even when text order disagrees", async () => {
    const saleId = await liveSale("ledger-ids");
    const store = new PrismaLedgerStore(db);
    const entry = (streamId: string): LedgerEntry => ({
      streamId,
      part: 0,
      type: "adjust",
      occurredAt: 1,
      holdId: null,
      orderRef: null,
      customerRef: null,
      lines: [],
    });
    await store.append(saleId, ["1764331200000-8", "1764331200000-9", "1764331200000-10"].map(entry));
    expect(await store.lastStreamId(saleId)).toBe("1764331200000-10");
    expect(await store.lastStreamId("no-such-sale")).toBeNull();
  });
});

it("parses the fields ledger.lua writes", () => {
  expect(parseLedgerEntry("5-1", ["t", "take", "at", "1700", "h", "", "o", "#9", "c", "", "l", "a:2,b:1"])).toEqual([
    {
      streamId: "5-1",
      part: 0,
      type: "take",
      occurredAt: 1700,
      holdId: null,
      orderRef: "#9",
      customerRef: null,
      lines: [
        { itemId: "a", quantity: 2 },
        { itemId: "b", quantity: 1 },
      ],
    },
  ]);
});

it("reads a batched entry as one event per hold, and a replacement under the ids and parts it had", () => {
  const batch = ["t", "reserve", "at", "1700", "h", "h1\nh2\nh3", "o", "", "c", "ann\nbob\ncy", "l", "a:1\na:2,b:1\nb:3", "n", "3"];
  const events = parseLedgerEntry("7-0", batch);
  const event = (part: number, holdId: string, customerRef: string, lines: LedgerEntry["lines"]): LedgerEntry => ({
    streamId: "7-0",
    part,
    type: "reserve",
    occurredAt: 1700,
    holdId,
    orderRef: null,
    customerRef,
    lines,
  });
  expect(events).toEqual([
    event(0, "h1", "ann", [{ itemId: "a", quantity: 1 }]),
    event(1, "h2", "bob", [
      { itemId: "a", quantity: 2 },
      { itemId: "b", quantity: 1 },
    ]),
    event(2, "h3", "cy", [{ itemId: "b", quantity: 3 }]),
  ]);
  // bob forgotten: a later entry carries the others, read back as they were.
  const kept = events.filter((one) => one.customerRef !== "bob");
  expect(parseLedgerEntry("9-4", replacementFields(kept))).toEqual(kept);
  expect(parseLedgerEntry("9-5", replacementFields([events[2]!]))).toEqual([events[2]]);
  // Without n, a value is one event's, whatever it holds.
  expect(parseLedgerEntry("5-0", ["t", "take", "at", "1", "h", "", "o", "", "c", "x\ny", "l", ""])).toMatchObject([{ part: 0, customerRef: "x\ny" }]);
});

describe("a reserve call's holds in one stream entry", () => {
  interface EventRow {
    streamId: string;
    part: number;
    type: string;
    holdId: string | null;
    customerRef: string | null;
    linesJson: string;
  }

  /** The persisted events in insertion order (raw: \`part\` is read whether or not the generated client knows it yet). */
  async function eventRows(saleId: string): Promise<EventRow[]> {
    const rows = await db.$queryRawUnsafe<EventRow[]>(
      'SELECT "streamId", "part", "type", "holdId", "customerRef", "linesJson" FROM "LedgerEvent" WHERE "saleId" = ? ORDER BY "id"',
      saleId,
    );
    return rows.map((row) => ({ ...row, part: Number(row.part) }));
  }

  const cartOf = (index: number) =>
    index % 2
      ? [
          { itemId: "a", quantity: 1 },
          { itemId: "b", quantity: 1 },
        ]
      : [{ itemId: "a", quantity: 1 + (index % 3) }];

  let requests = 0;
  /** One new hold per customer, all in one turn: HoldEngine sends them in one script call. */
  async function reserveTogether(saleId: string, customers: readonly string[]): Promise<string[]> {
    const results = await Promise.all(
      customers.map((customerId, index) => holds.reserve(saleId, { lines: cartOf(index), customerId, ttlMs: 60_000, requestId: `r${(requests += 1)}` })),
    );
    return results.map((result) => {
      if (result.outcome !== "reserved") throw new Error(JSON.stringify(result));
      return result.holdId;
    });
  }

  const reserveRow = (streamId: string, part: number, holdId: string, customerRef: string, index: number): EventRow => ({
    streamId,
    part,
    type: "reserve",
    holdId,
    customerRef,
    linesJson: JSON.stringify(cartOf(index)),
  });

  const customersOf = (label: string, names: readonly string[]) => {
    const suffix = Math.random().toString(36).slice(2, 8);
    return names.map((name) => `${label}-${name}-${suffix}`);
  };

  it("writes one stream entry for the call; SQL gets one event per hold, in order, each once", async () => {
    const saleId = await liveSale("ledger-batch");
    const ledgerKey = saleInventoryKeys(saleId).ledger;
    const customers = customersOf("batch", ["ann", "bob", "cy", "dee", "eve"]);
    const holdIds = await reserveTogether(saleId, customers);
    const raw = await redis.xrange(ledgerKey, "-", "+");
    // 2 allocations, then the five holds in ONE entry.
    expect(raw).toHaveLength(3);
    const [batchId, fields] = raw[2]!;
    expect(fields).toEqual(expect.arrayContaining(["n", "5"]));

    const store = new PrismaLedgerStore(db);
    const persister = new LedgerPersister(redis, store, { salesWithLedger: async () => [saleId] }, { batchSize: 2 });
    expect(await persister.runOnce()).toBe(2 + 5);
    expect(await persister.runOnce()).toBe(0);
    expect(await redis.xlen(ledgerKey)).toBe(0);
    // The same entry read again (a crash before the trim) stores nothing.
    expect(await store.append(saleId, parseLedgerEntry(batchId, fields))).toBe(0);

    const rows = await eventRows(saleId);
    expect(rows.map((row) => row.type)).toEqual(["allocate", "allocate", "reserve", "reserve", "reserve", "reserve", "reserve"]);
    expect(rows.slice(2)).toEqual(customers.map((customer, index) => reserveRow(batchId, index, holdIds[index]!, customer, index)));
    expect(await store.lastStreamId(saleId)).toBe(batchId);
  });

  it("writes a lone hold as the plain entry it always was", async () => {
    const saleId = await liveSale("ledger-lone");
    const [customer] = customersOf("lone", ["ann"]);
    const [holdId] = await reserveTogether(saleId, [customer!]);
    const raw = await redis.xrange(saleInventoryKeys(saleId).ledger, "-", "+");
    expect(raw).toHaveLength(3);
    expect(raw[2]![1]).toEqual(["t", "reserve", "at", expect.any(String), "h", holdId, "o", "", "c", customer, "l", "a:1"]);
  });

  it("forgets a customer inside a batched entry before it is persisted: every event reaches SQL once, theirs without them", async () => {
    const saleId = await liveSale("ledger-forget");
    const ledgerKey = saleInventoryKeys(saleId).ledger;
    const [ann, bob, cy] = customersOf("forget", ["ann", "bob", "cy"]) as [string, string, string];
    const batchIds = await reserveTogether(saleId, [ann, bob, cy, bob]);
    // bob's own call (a plain entry) and a call of his alone (a batch with no one else).
    await reserveTogether(saleId, [bob]);
    await reserveTogether(saleId, [bob, bob]);
    const [batchId] = (await redis.xrange(ledgerKey, "-", "+"))[2]!;

    const forgotten = await holds.forgetCustomer(saleId, bob, []);
    expect(forgotten.ledgerEntries).toBe(5);
    const raw = await redis.xrange(ledgerKey, "-", "+");
    expect(JSON.stringify(raw)).not.toContain(bob);
    expect(raw.map(([id]) => id)).not.toContain(batchId);
    // The two allocations, then the three entries that named bob, replaced at the end.
    expect(raw).toHaveLength(2 + 3);

    // A reserve after the forgetting is persisted as well.
    const [dee] = customersOf("forget", ["dee"]);
    const [later] = await reserveTogether(saleId, [dee!]);
    const persister = new LedgerPersister(redis, new PrismaLedgerStore(db), { salesWithLedger: async () => [saleId] });
    expect(await persister.runOnce()).toBe(2 + 4 + 1 + 2 + 1);
    expect(await persister.runOnce()).toBe(0);
    const reserves = (await eventRows(saleId)).filter((row) => row.type === "reserve");
    expect(reserves).toHaveLength(4 + 1 + 2 + 1);
    expect(reserves.filter((row) => row.customerRef === bob)).toEqual([]);
    expect(reserves.filter((row) => row.customerRef === null)).toHaveLength(5);
    expect(reserves.slice(0, 4)).toEqual([
      reserveRow(batchId, 0, batchIds[0]!, ann, 0),
      { ...reserveRow(batchId, 1, batchIds[1]!, bob, 1), customerRef: null },
      reserveRow(batchId, 2, batchIds[2]!, cy, 2),
      { ...reserveRow(batchId, 3, batchIds[3]!, bob, 3), customerRef: null },
    ]);
    expect(reserves.at(-1)).toEqual(expect.objectContaining({ holdId: later, customerRef: dee, part: 0 }));
  });

  it("forgets a customer inside a batched entry SQL already holds: nothing is stored twice", async () => {
    const saleId = await liveSale("ledger-forget-stored");
    const ledgerKey = saleInventoryKeys(saleId).ledger;
    const [ann, bob, cy] = customersOf("stored", ["ann", "bob", "cy"]) as [string, string, string];
    const holdIds = await reserveTogether(saleId, [ann, bob, cy]);
    const store = new PrismaLedgerStore(db);
    // Persisted, not trimmed yet (the persister stopped in between).
    const before = await redis.xrange(ledgerKey, "-", "+");
    expect(
      await store.append(
        saleId,
        before.flatMap(([id, fields]) => parseLedgerEntry(id, fields)),
      ),
    ).toBe(2 + 3);
    const [batchId] = before[2]!;

    expect((await holds.forgetCustomer(saleId, bob, [])).ledgerEntries).toBe(1);
    expect(JSON.stringify(await redis.xrange(ledgerKey, "-", "+"))).not.toContain(bob);
    const persister = new LedgerPersister(redis, store, { salesWithLedger: async () => [saleId] });
    expect(await persister.runOnce()).toBe(0);
    expect(await redis.xlen(ledgerKey)).toBe(0);
    // bob's event stays in SQL: forgetting him there is the caller's part (StoreRecords.forgetCustomer).
    expect((await eventRows(saleId)).slice(2)).toEqual([ann, bob, cy].map((customer, index) => reserveRow(batchId, index, holdIds[index]!, customer, index)));
  });
});

import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { HoldEngine } from "../../../app/core/inventory/index.ts";
import { saleInventoryKeys } from "../../../app/core/keys.ts";
import { connectTestRedis, ManualClock, uniqueSaleId } from "../../support/redis.ts";
import { expectInvariant } from "./invariant.ts";

const redis = connectTestRedis();
afterAll(() => redis.quit());

const MINUTE = 60_000;
let clock: ManualClock;
let engine: HoldEngine;
let sale: string;

beforeEach(async () => {
  clock = new ManualClock();
  engine = new HoldEngine(redis, { clock, reclaimBatch: 5 });
  sale = uniqueSaleId("settle");
  await engine.defineSale(sale, {
    perCustomerLimit: 0,
    items: [
      { itemId: "shoe", allocation: 10 },
      { itemId: "hat", allocation: 2 },
    ],
  });
});

async function hold(customerId: string, lines: { itemId: string; quantity: number }[], ttlMs = 10 * MINUTE): Promise<string> {
  const result = await engine.reserve(sale, { customerId, lines, requestId: `${customerId}-${Math.random()}`, ttlMs });
  if (result.outcome !== "reserved") throw new Error(`no hold: ${result.outcome}`);
  return result.holdId;
}

async function counters() {
  const snapshot = await engine.snapshot(sale);
  expectInvariant(snapshot);
  return snapshot!;
}

async function ledger(): Promise<{ t: string; l: string; h: string; o: string }[]> {
  const entries = await redis.xrange(saleInventoryKeys(sale).ledger, "-", "+");
  return entries.map(([, fields]) => {
    const map = new Map<string, string>();
    for (let i = 0; i < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
    return { t: map.get("t")!, l: map.get("l")!, h: map.get("h")!, o: map.get("o")! };
  });
}

const customerUnits = async (customer: string) => Number((await redis.hget(saleInventoryKeys(sale).customers, customer)) ?? 0);

describe("settleOrder", () => {
  it("commits exactly the held units when the order buys what was held", async () => {
    const holdId = await hold("ann", [{ itemId: "shoe", quantity: 2 }]);
    const result = await engine.settleOrder(sale, { orderRef: "o1", holdIds: [holdId], lines: [{ itemId: "shoe", quantity: 2 }] });
    expect(result).toEqual({
      outcome: "settled",
      holdId,
      committed: [{ itemId: "shoe", quantity: 2 }],
      released: [],
      taken: [],
      oversold: [],
      settledHolds: [holdId],
    });
    expect((await counters()).items.shoe).toEqual({ allocated: 10, available: 8, held: 0, sold: 2 });
    expect((await counters()).activeHolds).toBe(0);
    expect(await customerUnits("ann")).toBe(2);
  });

  it("commits the held units of a raised quantity and takes only the rest from available", async () => {
    const holdId = await hold("ann", [{ itemId: "shoe", quantity: 2 }]);
    const result = await engine.settleOrder(sale, { orderRef: "o1", customerId: "ann", holdIds: [holdId], lines: [{ itemId: "shoe", quantity: 5 }] });
    expect(result).toMatchObject({ committed: [{ itemId: "shoe", quantity: 2 }], taken: [{ itemId: "shoe", quantity: 3 }], oversold: [], released: [] });
    expect((await counters()).items.shoe).toEqual({ allocated: 10, available: 5, held: 0, sold: 5 });
    // The held units were counted when held; the bypass units are counted now.
    expect(await customerUnits("ann")).toBe(5);
    expect((await ledger()).map((entry) => `${entry.t} ${entry.l}`)).toEqual([
      "allocate shoe:10",
      "allocate hat:2",
      "reserve shoe:2",
      "commit shoe:2",
      "take shoe:3",
    ]);
  });

  it("treats a second drop item the hold does not cover as bypass units", async () => {
    const holdId = await hold("ann", [{ itemId: "shoe", quantity: 1 }]);
    const result = await engine.settleOrder(sale, {
      orderRef: "o1",
      holdIds: [holdId],
      lines: [
        { itemId: "shoe", quantity: 1 },
        { itemId: "hat", quantity: 1 },
      ],
    });
    expect(result).toMatchObject({ committed: [{ itemId: "shoe", quantity: 1 }], taken: [{ itemId: "hat", quantity: 1 }], oversold: [] });
    const snapshot = await counters();
    expect(snapshot.items.shoe).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
    expect(snapshot.items.hat).toEqual({ allocated: 2, available: 1, held: 0, sold: 1 });
  });

  it("releases the held units the order did not buy, and uncounts them for the customer", async () => {
    const holdId = await hold("ann", [
      { itemId: "shoe", quantity: 3 },
      { itemId: "hat", quantity: 1 },
    ]);
    const result = await engine.settleOrder(sale, { orderRef: "o1", holdIds: [holdId], lines: [{ itemId: "shoe", quantity: 1 }] });
    expect(result).toMatchObject({
      committed: [{ itemId: "shoe", quantity: 1 }],
      released: [
        { itemId: "hat", quantity: 1 },
        { itemId: "shoe", quantity: 2 },
      ],
      taken: [],
    });
    const snapshot = await counters();
    expect(snapshot.items.shoe).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
    expect(snapshot.items.hat).toEqual({ allocated: 2, available: 2, held: 0, sold: 0 });
    expect(snapshot.activeHolds).toBe(0);
    expect(await customerUnits("ann")).toBe(1);
    expect((await ledger()).slice(-2).map((entry) => `${entry.t} ${entry.h === holdId} ${entry.o}`)).toEqual(["commit true o1", "release true o1"]);
  });

  it("takes every unit from available when no hold is named (no token, or a forged one the caller dropped)", async () => {
    const someoneElses = await hold("bob", [{ itemId: "shoe", quantity: 4 }]);
    const result = await engine.settleOrder(sale, { orderRef: "o1", customerId: "eve", holdIds: [], lines: [{ itemId: "shoe", quantity: 3 }] });
    expect(result).toEqual({
      outcome: "settled",
      holdId: null,
      committed: [],
      released: [],
      taken: [{ itemId: "shoe", quantity: 3 }],
      oversold: [],
      settledHolds: [],
    });
    // Bob keeps his hold.
    expect((await counters()).items.shoe).toEqual({ allocated: 10, available: 3, held: 4, sold: 3 });
    expect((await counters()).activeHolds).toBe(1);
    expect(someoneElses).toBeTruthy();
  });

  it("ignores a hold id this sale does not have (another sale's, or made up): its units are bypass units", async () => {
    const result = await engine.settleOrder(sale, { orderRef: "o1", holdIds: ["not-a-hold-of-this-sale"], lines: [{ itemId: "hat", quantity: 1 }] });
    expect(result).toMatchObject({ holdId: null, committed: [], taken: [{ itemId: "hat", quantity: 1 }], settledHolds: [] });
  });

  it("records the units the sale did not have as oversold, with the order, in the ledger and the snapshot", async () => {
    await hold("bob", [{ itemId: "hat", quantity: 1 }]);
    const result = await engine.settleOrder(sale, { orderRef: "o1", holdIds: [], lines: [{ itemId: "hat", quantity: 4 }] });
    expect(result).toMatchObject({ taken: [{ itemId: "hat", quantity: 1 }], oversold: [{ itemId: "hat", quantity: 3 }] });
    const snapshot = await counters();
    expect(snapshot.items.hat).toEqual({ allocated: 2, available: 0, held: 1, sold: 1 });
    expect(snapshot.oversold).toEqual({ hat: 3 });
    expect((await ledger()).at(-1)).toMatchObject({ t: "oversell", l: "hat:3", o: "o1" });
    await engine.settleOrder(sale, { orderRef: "o2", holdIds: [], lines: [{ itemId: "hat", quantity: 2 }] });
    expect((await counters()).oversold).toEqual({ hat: 5 });
  });

  it("is idempotent by order reference: a replay changes nothing", async () => {
    const holdId = await hold("ann", [{ itemId: "shoe", quantity: 2 }]);
    const request = { orderRef: "o1", customerId: "ann", holdIds: [holdId], lines: [{ itemId: "shoe", quantity: 3 }] };
    await engine.settleOrder(sale, request);
    const before = await counters();
    const entries = (await ledger()).length;
    expect(await engine.settleOrder(sale, request)).toEqual({ outcome: "duplicate", holdId });
    expect(await counters()).toEqual(before);
    expect((await ledger()).length).toBe(entries);
    expect(await customerUnits("ann")).toBe(3);
    await engine.settleOrder(sale, { orderRef: "o2", holdIds: [], lines: [{ itemId: "hat", quantity: 1 }] });
    expect(await engine.settleOrder(sale, { orderRef: "o2", holdIds: [], lines: [{ itemId: "hat", quantity: 1 }] })).toEqual({
      outcome: "duplicate",
      holdId: null,
    });
  });

  it("commits an expired hold that was not reclaimed yet, and takes from available once it was", async () => {
    const stale = await hold("ann", [{ itemId: "shoe", quantity: 2 }], 1_000);
    clock.advance(5_000);
    expect(await engine.settleOrder(sale, { orderRef: "o1", holdIds: [stale], lines: [{ itemId: "shoe", quantity: 2 }] })).toMatchObject({
      holdId: stale,
      committed: [{ itemId: "shoe", quantity: 2 }],
      taken: [],
    });

    const reclaimed = await hold("bob", [{ itemId: "shoe", quantity: 2 }], 1_000);
    clock.advance(5_000);
    await engine.expire(sale);
    expect(await engine.settleOrder(sale, { orderRef: "o2", holdIds: [reclaimed], lines: [{ itemId: "shoe", quantity: 2 }] })).toMatchObject({
      holdId: null,
      committed: [],
      taken: [{ itemId: "shoe", quantity: 2 }],
    });
    expect((await counters()).items.shoe).toEqual({ allocated: 10, available: 6, held: 0, sold: 4 });
  });

  it("uses several holds of one order, each unit once", async () => {
    const first = await hold("ann", [{ itemId: "shoe", quantity: 1 }]);
    const second = await hold("ann", [{ itemId: "shoe", quantity: 2 }]);
    const result = await engine.settleOrder(sale, { orderRef: "o1", holdIds: [first, second, first], lines: [{ itemId: "shoe", quantity: 2 }] });
    expect(result).toMatchObject({
      holdId: first,
      committed: [{ itemId: "shoe", quantity: 2 }],
      released: [{ itemId: "shoe", quantity: 1 }],
      taken: [],
      settledHolds: [first, second],
    });
    expect((await counters()).items.shoe).toEqual({ allocated: 10, available: 8, held: 0, sold: 2 });
  });

  it("changes nothing for an item or a sale it does not know, and refuses bad input before Redis", async () => {
    const holdId = await hold("ann", [{ itemId: "shoe", quantity: 1 }]);
    const before = await counters();
    expect(
      await engine.settleOrder(sale, {
        orderRef: "o1",
        holdIds: [holdId],
        lines: [
          { itemId: "shoe", quantity: 1 },
          { itemId: "ghost", quantity: 1 },
        ],
      }),
    ).toEqual({ outcome: "not_found", itemId: "ghost" });
    expect(await counters()).toEqual(before);
    expect(await engine.settleOrder(uniqueSaleId("none"), { orderRef: "o1", holdIds: [], lines: [{ itemId: "shoe", quantity: 1 }] })).toEqual({
      outcome: "not_found",
      itemId: null,
    });
    await expect(engine.settleOrder(sale, { orderRef: "", holdIds: [], lines: [{ itemId: "shoe", quantity: 1 }] })).rejects.toMatchObject({
      code: "invalid_order_ref",
    });
    await expect(engine.settleOrder(sale, { orderRef: "o1", holdIds: ["bad\u0001id"], lines: [{ itemId: "shoe", quantity: 1 }] })).rejects.toMatchObject({
      code: "invalid_hold_id",
    });
    await expect(engine.settleOrder(sale, { orderRef: "o1", holdIds: [], lines: [] })).rejects.toMatchObject({ code: "invalid_lines" });
  });
});

describe("platformReport and platformWritten", () => {
  it("takes the first report as the base and changes nothing", async () => {
    expect(await engine.platformReport(sale, "shoe", 7)).toEqual({ outcome: "baseline", available: 10 });
    expect((await counters()).items.shoe).toEqual({ allocated: 10, available: 10, held: 0, sold: 0 });
    expect(await engine.platformReport(sale, "ghost", 7)).toEqual({ outcome: "not_found" });
  });

  it("takes a decrease no order explains out of available at once, and gives it back when an order explains it", async () => {
    await engine.platformWritten(sale, [{ itemId: "shoe", available: 10 }]);
    expect(await engine.platformReport(sale, "shoe", 8)).toEqual({ outcome: "applied", availableChange: -2, restocked: 0, available: 8 });
    expect((await counters()).items.shoe).toEqual({ allocated: 8, available: 8, held: 0, sold: 0 });
    // The order behind the decrease arrives after the report: its units are not counted twice.
    await engine.settleOrder(sale, { orderRef: "o1", holdIds: [], lines: [{ itemId: "shoe", quantity: 2 }] });
    expect((await counters()).items.shoe).toEqual({ allocated: 10, available: 8, held: 0, sold: 2 });
  });

  it("does not count a held order twice whichever of order and report comes first", async () => {
    await engine.platformWritten(sale, [{ itemId: "shoe", available: 10 }]);
    const first = await hold("ann", [{ itemId: "shoe", quantity: 2 }]);
    await engine.settleOrder(sale, { orderRef: "o1", holdIds: [first], lines: [{ itemId: "shoe", quantity: 2 }] });
    await engine.platformReport(sale, "shoe", 8);
    expect((await counters()).items.shoe).toEqual({ allocated: 10, available: 8, held: 0, sold: 2 });

    const second = await hold("bob", [{ itemId: "shoe", quantity: 1 }]);
    await engine.platformReport(sale, "shoe", 7);
    expect((await counters()).items.shoe).toEqual({ allocated: 9, available: 6, held: 1, sold: 2 });
    await engine.settleOrder(sale, { orderRef: "o2", holdIds: [second], lines: [{ itemId: "shoe", quantity: 1 }] });
    expect((await counters()).items.shoe).toEqual({ allocated: 10, available: 7, held: 0, sold: 3 });
  });

  it("lowers available only as far as it goes; held and sold units are never taken back", async () => {
    await engine.platformWritten(sale, [{ itemId: "hat", available: 2 }]);
    await hold("ann", [{ itemId: "hat", quantity: 1 }]);
    expect(await engine.platformReport(sale, "hat", 0)).toEqual({ outcome: "applied", availableChange: -1, restocked: 0, available: 0 });
    expect((await counters()).items.hat).toEqual({ allocated: 1, available: 0, held: 1, sold: 0 });
  });

  it("adds what the platform has beyond everything written as a restock, after giving back earlier decreases", async () => {
    await engine.platformWritten(sale, [{ itemId: "shoe", available: 10 }]);
    await engine.platformReport(sale, "shoe", 7);
    expect(await engine.platformReport(sale, "shoe", 12)).toEqual({ outcome: "applied", availableChange: 3, restocked: 2, available: 12 });
    expect((await counters()).items.shoe).toEqual({ allocated: 12, available: 12, held: 0, sold: 0 });
  });

  it("makes a confirmed write the new base: decreases applied before stay applied", async () => {
    await engine.platformWritten(sale, [{ itemId: "shoe", available: 10 }]);
    await engine.platformReport(sale, "shoe", 6);
    await engine.platformWritten(sale, [{ itemId: "shoe", available: 6 }]);
    await engine.settleOrder(sale, { orderRef: "o1", holdIds: [], lines: [{ itemId: "shoe", quantity: 1 }] });
    await engine.platformReport(sale, "shoe", 5);
    expect((await counters()).items.shoe).toEqual({ allocated: 6, available: 5, held: 0, sold: 1 });
  });
});

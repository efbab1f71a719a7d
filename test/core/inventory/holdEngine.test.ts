import type { Command } from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { InvalidInputError } from "../../../app/core/errors/InvalidInputError.ts";
import { HoldEngine } from "../../../app/core/inventory/index.ts";
import { holdRequestCounterKey, saleInventoryKeys } from "../../../app/core/keys.ts";
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
  sale = uniqueSaleId("engine");
  await engine.defineSale(sale, {
    perCustomerLimit: 0,
    items: [
      { itemId: "shoe", allocation: 10 },
      { itemId: "hat", allocation: 2 },
    ],
  });
});

const reserve = (customerId: string, lines: { itemId: string; quantity: number }[], requestId = `${customerId}-${Math.random()}`, ttlMs = 10 * MINUTE) =>
  engine.reserve(sale, { customerId, lines, requestId, ttlMs });

async function counters(itemId: string) {
  const snapshot = await engine.snapshot(sale);
  expectInvariant(snapshot);
  return snapshot?.items[itemId];
}

async function ledgerTypes(): Promise<string[]> {
  const entries = await redis.xrange(saleInventoryKeys(sale).ledger, "-", "+");
  return entries.map(([, fields]) => fields[1] ?? "");
}

describe("defineSale", () => {
  it("creates items once and leaves existing counters alone when run again", async () => {
    await reserve("ann", [{ itemId: "shoe", quantity: 3 }]);
    const again = await engine.defineSale(sale, {
      perCustomerLimit: 0,
      items: [
        { itemId: "shoe", allocation: 99 },
        { itemId: "bag", allocation: 4 },
      ],
    });
    expect(again.created).toBe(1);
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 7, held: 3, sold: 0 });
    expect(await counters("bag")).toEqual({ allocated: 4, available: 4, held: 0, sold: 0 });
  });

  it("refuses bad definitions", async () => {
    await expect(engine.defineSale(sale, { perCustomerLimit: -1, items: [] })).rejects.toMatchObject({ code: "invalid_limit" });
    await expect(engine.defineSale(sale, { perCustomerLimit: 0, items: [{ itemId: "x", allocation: -5 }] })).rejects.toMatchObject({
      code: "invalid_allocation",
    });
    await expect(engine.defineSale(sale, { perCustomerLimit: 0, items: [{ itemId: "a{b}", allocation: 5 }] })).rejects.toMatchObject({
      code: "invalid_item_id",
    });
    await expect(engine.defineSale("bad{tag}", { perCustomerLimit: 0, items: [] })).rejects.toMatchObject({ code: "invalid_sale_id" });
    await expect(
      engine.defineSale(sale, {
        perCustomerLimit: 0,
        items: [
          { itemId: "x", allocation: 1 },
          { itemId: "x", allocation: 2 },
        ],
      }),
    ).rejects.toMatchObject({ code: "duplicate_item" });
  });
});

describe("reserve", () => {
  it("holds every line of a cart", async () => {
    const result = await reserve("ann", [
      { itemId: "shoe", quantity: 2 },
      { itemId: "hat", quantity: 1 },
    ]);
    expect(result).toMatchObject({ outcome: "reserved", expiresAt: clock.now() + 10 * MINUTE, replayed: false });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 8, held: 2, sold: 0 });
    expect(await counters("hat")).toEqual({ allocated: 2, available: 1, held: 1, sold: 0 });
    expect(await ledgerTypes()).toEqual(["allocate", "allocate", "reserve"]);
  });

  it("is all or nothing: one short line leaves every line untouched", async () => {
    const result = await reserve("ann", [
      { itemId: "shoe", quantity: 2 },
      { itemId: "hat", quantity: 3 },
    ]);
    expect(result).toEqual({ outcome: "sold_out", itemId: "hat", available: 2 });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 10, held: 0, sold: 0 });
    expect(await ledgerTypes()).toEqual(["allocate", "allocate"]);
  });

  it("merges repeated items of one cart", async () => {
    await reserve("ann", [
      { itemId: "hat", quantity: 1 },
      { itemId: "hat", quantity: 1 },
    ]);
    expect(await counters("hat")).toEqual({ allocated: 2, available: 0, held: 2, sold: 0 });
  });

  it("returns the same hold for a retried request and changes nothing", async () => {
    const first = await reserve("ann", [{ itemId: "shoe", quantity: 2 }], "req-1");
    const retry = await reserve("ann", [{ itemId: "shoe", quantity: 2 }], "req-1");
    expect(first.outcome).toBe("reserved");
    expect(retry).toMatchObject({ outcome: "reserved", replayed: true });
    if (first.outcome !== "reserved" || retry.outcome !== "reserved") throw new Error("unreachable");
    expect(retry.holdId).toBe(first.holdId);
    expect(retry.expiresAt).toBe(first.expiresAt);
    expect(await counters("shoe")).toMatchObject({ held: 2 });
  });

  it("scopes request ids to the customer", async () => {
    const ann = await reserve("ann", [{ itemId: "shoe", quantity: 1 }], "same");
    const bob = await reserve("bob", [{ itemId: "shoe", quantity: 1 }], "same");
    expect(bob).toMatchObject({ outcome: "reserved", replayed: false });
    expect(bob.outcome === "reserved" && ann.outcome === "reserved" && bob.holdId !== ann.holdId).toBe(true);
  });

  it("answers duplicate when the retried request's hold has ended", async () => {
    const first = await reserve("ann", [{ itemId: "shoe", quantity: 1 }], "req-r");
    if (first.outcome !== "reserved") throw new Error("expected a hold");
    await engine.release(sale, first.holdId);
    expect(await reserve("ann", [{ itemId: "shoe", quantity: 1 }], "req-r")).toEqual({ outcome: "duplicate", holdId: first.holdId });

    const second = await reserve("ann", [{ itemId: "shoe", quantity: 1 }], "req-e", 2_000);
    clock.advance(2_000);
    expect(await reserve("ann", [{ itemId: "shoe", quantity: 1 }], "req-e")).toMatchObject({
      outcome: "duplicate",
      holdId: second.outcome === "reserved" ? second.holdId : "",
    });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 10, held: 0, sold: 0 });
  });

  it("enforces the per-customer limit across holds and purchases", async () => {
    const limited = uniqueSaleId("limit");
    await engine.defineSale(limited, { perCustomerLimit: 2, items: [{ itemId: "shoe", allocation: 10 }] });
    const hold = await engine.reserve(limited, { customerId: "ann", lines: [{ itemId: "shoe", quantity: 1 }], requestId: "a", ttlMs: MINUTE });
    if (hold.outcome !== "reserved") throw new Error("expected a hold");
    await engine.commit(limited, hold.holdId, "order-1");
    await engine.reserve(limited, { customerId: "ann", lines: [{ itemId: "shoe", quantity: 1 }], requestId: "b", ttlMs: MINUTE });
    expect(await engine.reserve(limited, { customerId: "ann", lines: [{ itemId: "shoe", quantity: 1 }], requestId: "c", ttlMs: MINUTE })).toEqual({
      outcome: "limit_exceeded",
      limit: 2,
      alreadyCounted: 2,
    });
    expect(await engine.reserve(limited, { customerId: "bob", lines: [{ itemId: "shoe", quantity: 2 }], requestId: "c", ttlMs: MINUTE })).toMatchObject({
      outcome: "reserved",
    });
    expect((await engine.snapshot(limited))?.items.shoe).toEqual({ allocated: 10, available: 6, held: 3, sold: 1 });
  });

  it("gives a released or expired customer's units back to the limit", async () => {
    const limited = uniqueSaleId("limit2");
    await engine.defineSale(limited, { perCustomerLimit: 1, items: [{ itemId: "shoe", allocation: 10 }] });
    await engine.reserve(limited, { customerId: "ann", lines: [{ itemId: "shoe", quantity: 1 }], requestId: "a", ttlMs: 1_000 });
    clock.advance(1_000);
    expect(await engine.reserve(limited, { customerId: "ann", lines: [{ itemId: "shoe", quantity: 1 }], requestId: "b", ttlMs: 1_000 })).toMatchObject({
      outcome: "reserved",
    });
  });

  it("reports unknown sales and items", async () => {
    expect(await engine.reserve(uniqueSaleId("none"), { customerId: "a", lines: [{ itemId: "shoe", quantity: 1 }], requestId: "r", ttlMs: MINUTE })).toEqual({
      outcome: "not_found",
      itemId: null,
    });
    expect(
      await reserve("ann", [
        { itemId: "shoe", quantity: 1 },
        { itemId: "ghost", quantity: 1 },
      ]),
    ).toEqual({ outcome: "not_found", itemId: "ghost" });
    expect(await counters("shoe")).toMatchObject({ held: 0 });
  });

  it("reclaims expired holds lazily so their units sell again", async () => {
    await reserve("ann", [{ itemId: "hat", quantity: 2 }], "r1", 5_000);
    expect(await reserve("bob", [{ itemId: "hat", quantity: 1 }])).toMatchObject({ outcome: "sold_out" });
    clock.advance(4_999);
    expect(await reserve("bob", [{ itemId: "hat", quantity: 1 }])).toMatchObject({ outcome: "sold_out" });
    clock.advance(1);
    expect(await reserve("bob", [{ itemId: "hat", quantity: 1 }])).toMatchObject({ outcome: "reserved" });
    expect(await counters("hat")).toEqual({ allocated: 2, available: 1, held: 1, sold: 0 });
    expect(await ledgerTypes()).toContain("expire");
  });

  it("refuses bad input before Redis and changes nothing", async () => {
    const cases: [unknown, string][] = [
      [[{ itemId: "shoe", quantity: 0 }], "invalid_quantity"],
      [[{ itemId: "shoe", quantity: -1 }], "invalid_quantity"],
      [[{ itemId: "shoe", quantity: 1.5 }], "invalid_quantity"],
      [[{ itemId: "shoe", quantity: "2" }], "invalid_quantity"],
      [[{ itemId: "shoe", quantity: 1e12 }], "invalid_quantity"],
      [
        [
          { itemId: "shoe", quantity: 6_000 },
          { itemId: "shoe", quantity: 6_000 },
        ],
        "invalid_quantity",
      ],
      [[{ itemId: "sh oe", quantity: 1 }], "invalid_item_id"],
      [[], "invalid_lines"],
      ["shoe", "invalid_lines"],
      [[null], "invalid_lines"],
      [Array.from({ length: 101 }, (_, i) => ({ itemId: `i${i}`, quantity: 1 })), "invalid_lines"],
    ];
    for (const [lines, code] of cases) {
      const attempt = engine.reserve(sale, { customerId: "ann", lines: lines as never, requestId: "r", ttlMs: MINUTE });
      await expect(attempt, JSON.stringify(lines).slice(0, 60)).rejects.toMatchObject({ code });
      await expect(attempt).rejects.toBeInstanceOf(InvalidInputError);
    }
    await expect(engine.reserve(sale, { customerId: "", lines: [{ itemId: "shoe", quantity: 1 }], requestId: "r", ttlMs: MINUTE })).rejects.toMatchObject({
      code: "invalid_customer",
    });
    await expect(
      engine.reserve(sale, { customerId: "a", lines: [{ itemId: "shoe", quantity: 1 }], requestId: "x".repeat(201), ttlMs: MINUTE }),
    ).rejects.toMatchObject({ code: "invalid_request_id" });
    await expect(engine.reserve(sale, { customerId: "a", lines: [{ itemId: "shoe", quantity: 1 }], requestId: "r", ttlMs: 10 })).rejects.toMatchObject({
      code: "invalid_ttl",
    });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 10, held: 0, sold: 0 });
    expect(await ledgerTypes()).toEqual(["allocate", "allocate"]);
  });
});

describe("reserve with a request limit", () => {
  const limited = (requestId: string) =>
    engine.reserve(sale, {
      customerId: "ann",
      lines: [{ itemId: "shoe", quantity: 1 }],
      requestId,
      ttlMs: MINUTE,
      rateLimit: { requester: "ann-session", limit: 2, windowMs: MINUTE },
    });

  it("counts every request, replays included, and refuses past the limit without touching stock", async () => {
    expect(await limited("req-00001")).toMatchObject({ outcome: "reserved", replayed: false });
    expect(await limited("req-00001")).toMatchObject({ outcome: "reserved", replayed: true });
    const refused = await limited("req-00002");
    expect(refused.outcome).toBe("rate_limited");
    if (refused.outcome === "rate_limited") expect(refused.retryAfterMs).toBeGreaterThan(MINUTE - 5_000);
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 9, held: 1, sold: 0 });
    expect(await ledgerTypes()).toEqual(["allocate", "allocate", "reserve"]);
    // Another requester in the same sale has a counter of its own; no limit touches no counter.
    expect(
      await engine.reserve(sale, {
        customerId: "bob",
        lines: [{ itemId: "shoe", quantity: 1 }],
        requestId: "req-bob-1",
        ttlMs: MINUTE,
        rateLimit: { requester: "bob-session", limit: 1, windowMs: MINUTE },
      }),
    ).toMatchObject({ outcome: "reserved" });
    expect(await reserve("cy", [{ itemId: "shoe", quantity: 1 }])).toMatchObject({ outcome: "reserved" });
    expect(await redis.exists(holdRequestCounterKey(sale, "-"))).toBe(0);
    expect(await redis.pttl(holdRequestCounterKey(sale, "ann-session"))).toBeGreaterThan(0);
  });

  it("gives a counter found without expiry one at its first refusal, so it cannot block forever", async () => {
    const counter = holdRequestCounterKey(sale, "ann-session");
    await redis.set(counter, "1");
    expect(await limited("req-00011")).toMatchObject({ outcome: "reserved" });
    expect(await redis.pttl(counter)).toBe(-1);
    expect(await limited("req-00012")).toMatchObject({ outcome: "rate_limited", retryAfterMs: MINUTE });
    expect(await redis.pttl(counter)).toBeGreaterThan(0);
  });

  it("refuses a malformed limit before calling Redis", async () => {
    await expect(
      engine.reserve(sale, {
        customerId: "ann",
        lines: [{ itemId: "shoe", quantity: 1 }],
        requestId: "req-00003",
        ttlMs: MINUTE,
        rateLimit: { requester: "x", limit: 0, windowMs: MINUTE },
      }),
    ).rejects.toMatchObject({ code: "invalid_rate_limit" });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 10, held: 0, sold: 0 });
  });
});

describe("release", () => {
  it("returns the units once", async () => {
    const hold = await reserve("ann", [{ itemId: "shoe", quantity: 4 }]);
    if (hold.outcome !== "reserved") throw new Error("expected a hold");
    expect(await engine.release(sale, hold.holdId)).toEqual({ outcome: "released" });
    expect(await engine.release(sale, hold.holdId)).toEqual({ outcome: "not_found" });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 10, held: 0, sold: 0 });
    expect(await ledgerTypes()).toEqual(["allocate", "allocate", "reserve", "release"]);
  });
});

describe("commit", () => {
  it("turns a hold into a sale once per order", async () => {
    const hold = await reserve("ann", [
      { itemId: "shoe", quantity: 2 },
      { itemId: "hat", quantity: 1 },
    ]);
    if (hold.outcome !== "reserved") throw new Error("expected a hold");
    expect(await engine.commit(sale, hold.holdId, "order-7")).toEqual({
      outcome: "committed",
      customerId: "ann",
      lines: [
        { itemId: "shoe", quantity: 2 },
        { itemId: "hat", quantity: 1 },
      ],
    });
    expect(await engine.commit(sale, hold.holdId, "order-7")).toEqual({ outcome: "duplicate", holdId: hold.holdId });
    expect(await engine.commit(sale, hold.holdId, "order-8")).toEqual({ outcome: "not_found" });
    expect(await engine.release(sale, hold.holdId)).toEqual({ outcome: "not_found" });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 8, held: 0, sold: 2 });
  });

  it("honours a hold that expired but was not reclaimed yet, and not one that was", async () => {
    const late = await reserve("ann", [{ itemId: "shoe", quantity: 1 }], "late", 1_000);
    const gone = await reserve("bob", [{ itemId: "hat", quantity: 1 }], "gone", 1_000);
    if (late.outcome !== "reserved" || gone.outcome !== "reserved") throw new Error("expected holds");
    clock.advance(2_000);
    expect(await engine.commit(sale, late.holdId, "order-late")).toMatchObject({ outcome: "committed" });
    await engine.expire(sale);
    expect(await engine.commit(sale, gone.holdId, "order-gone")).toEqual({ outcome: "not_found" });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
    expect(await counters("hat")).toEqual({ allocated: 2, available: 2, held: 0, sold: 0 });
  });
});

describe("hold records", () => {
  const holdsKey = () => saleInventoryKeys(sale).holds;

  it("keep customer, expiry, address and lines as text, no JSON", async () => {
    const hold = await engine.reserve(sale, {
      customerId: "ann {x}",
      lines: [
        { itemId: "shoe", quantity: 2 },
        { itemId: "hat", quantity: 1 },
      ],
      requestId: "r1",
      ttlMs: MINUTE,
      // An IPv6 bucket: the address goes last in reserve.lua's terms because it may hold colons.
      address: { bucket: "2001:db8::/48", limit: 5 },
    });
    if (hold.outcome !== "reserved") throw new Error("expected a hold");
    expect(await redis.hget(holdsKey(), hold.holdId)).toBe(`${hold.expiresAt}\tann {x}\t@2001:db8::/48\tshoe:2,hat:1`);
    expect(await engine.customerData(sale, "ann {x}")).toEqual({
      units: 3,
      holds: [
        {
          holdId: hold.holdId,
          expiresAt: hold.expiresAt,
          lines: [
            { itemId: "shoe", quantity: 2 },
            { itemId: "hat", quantity: 1 },
          ],
        },
      ],
    });
    // Releasing gives the address its units back too: the record's address field was read.
    expect(await engine.release(sale, hold.holdId)).toEqual({ outcome: "released" });
    expect(await redis.hgetall(saleInventoryKeys(sale).customers)).toEqual({});
  });

  // Records written as JSON before an upgrade live on until their holds end (at most 24 h).
  it("written as JSON before the text form are still released, committed, expired and reported", async () => {
    const asJson = async (customerId: string, itemId: string, ttlMs = MINUTE) => {
      const hold = await reserve(customerId, [{ itemId, quantity: 1 }], `${customerId}-json`, ttlMs);
      if (hold.outcome !== "reserved") throw new Error("expected a hold");
      await redis.hset(holdsKey(), hold.holdId, JSON.stringify({ c: customerId, e: hold.expiresAt, l: [[itemId, 1]] }));
      return hold;
    };
    const released = await asJson("ann", "shoe");
    const committed = await asJson("bob", "shoe");
    await asJson("cat", "hat", 1_000);
    expect(await engine.customerData(sale, "bob")).toMatchObject({ holds: [{ holdId: committed.holdId, lines: [{ itemId: "shoe", quantity: 1 }] }] });
    expect(await engine.release(sale, released.holdId)).toEqual({ outcome: "released" });
    expect(await engine.commit(sale, committed.holdId, "order-json")).toEqual({
      outcome: "committed",
      customerId: "bob",
      lines: [{ itemId: "shoe", quantity: 1 }],
    });
    clock.advance(2_000);
    expect(await engine.expire(sale)).toEqual({ ended: 1, more: false });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
    expect(await counters("hat")).toEqual({ allocated: 2, available: 2, held: 0, sold: 0 });
    expect(await redis.hgetall(saleInventoryKeys(sale).customers)).toEqual({ bob: "1" });
  });
});

describe("take", () => {
  it("sells from available only, never from other shoppers' holds", async () => {
    await reserve("ann", [{ itemId: "hat", quantity: 1 }]);
    expect(await engine.take(sale, { orderRef: "bypass-1", customerId: "eve", lines: [{ itemId: "hat", quantity: 1 }] })).toEqual({
      outcome: "taken",
      customerUnits: 1,
    });
    expect(await engine.take(sale, { orderRef: "bypass-2", lines: [{ itemId: "hat", quantity: 1 }] })).toEqual({
      outcome: "sold_out",
      itemId: "hat",
      available: 0,
    });
    expect(await engine.take(sale, { orderRef: "bypass-1", lines: [{ itemId: "hat", quantity: 1 }] })).toEqual({ outcome: "duplicate", holdId: null });
    expect(await counters("hat")).toEqual({ allocated: 2, available: 0, held: 1, sold: 1 });
  });

  it("is all or nothing, reports unknown items and sales, and reclaims expired holds", async () => {
    expect(
      await engine.take(sale, {
        orderRef: "o1",
        lines: [
          { itemId: "shoe", quantity: 1 },
          { itemId: "hat", quantity: 3 },
        ],
      }),
    ).toMatchObject({ outcome: "sold_out", itemId: "hat" });
    expect(await engine.take(sale, { orderRef: "o1", lines: [{ itemId: "nope", quantity: 1 }] })).toEqual({ outcome: "not_found", itemId: "nope" });
    expect(await engine.take(uniqueSaleId("none"), { orderRef: "o1", lines: [{ itemId: "hat", quantity: 1 }] })).toEqual({
      outcome: "not_found",
      itemId: null,
    });
    await reserve("ann", [{ itemId: "hat", quantity: 2 }], "r", 1_000);
    clock.advance(1_000);
    expect(await engine.take(sale, { orderRef: "o2", lines: [{ itemId: "hat", quantity: 2 }] })).toMatchObject({ outcome: "taken" });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 10, held: 0, sold: 0 });
    expect(await counters("hat")).toEqual({ allocated: 2, available: 0, held: 0, sold: 2 });
  });
});

describe("adjust", () => {
  it("restocks and reduces, never below held + sold", async () => {
    const hold = await reserve("ann", [{ itemId: "shoe", quantity: 3 }]);
    if (hold.outcome !== "reserved") throw new Error("expected a hold");
    await engine.commit(sale, hold.holdId, "o");
    await reserve("bob", [{ itemId: "shoe", quantity: 2 }]);
    expect(await engine.adjust(sale, "shoe", 5)).toEqual({ outcome: "adjusted", allocated: 15, available: 10, held: 2, sold: 3 });
    expect(await engine.adjust(sale, "shoe", -11)).toEqual({ outcome: "insufficient", available: 10 });
    expect(await engine.adjust(sale, "shoe", -10)).toEqual({ outcome: "adjusted", allocated: 5, available: 0, held: 2, sold: 3 });
    expect(await engine.adjust(sale, "ghost", 1)).toEqual({ outcome: "not_found" });
    await expect(engine.adjust(sale, "shoe", 0)).rejects.toMatchObject({ code: "invalid_delta" });
    await expect(engine.adjust(sale, "shoe", 0.5)).rejects.toMatchObject({ code: "invalid_delta" });
    expect(await counters("shoe")).toEqual({ allocated: 5, available: 0, held: 2, sold: 3 });
  });
});

describe("expire", () => {
  it("keeps one reminder per script call and end, and ends each hold by its own record", async () => {
    // One turn of the event loop: five holds in one script call, three ending at one time, two at another.
    const holds = await Promise.all(
      ["a", "b", "c", "d", "e"].map((customerId, i) =>
        engine.reserve(sale, { customerId, lines: [{ itemId: "shoe", quantity: 1 }], requestId: "r", ttlMs: i < 3 ? 1_000 : 2_000 }),
      ),
    );
    const ids = holds.map((hold) => (hold.outcome === "reserved" ? hold.holdId : ""));
    const expiry = saleInventoryKeys(sale).expiry;
    expect(await redis.zrange(expiry, "0", "-1")).toEqual([ids.slice(0, 3).join(","), ids.slice(3).join(",")]);
    // A hold released before its end is passed over when its reminder comes due.
    expect(await engine.release(sale, ids[1]!)).toEqual({ outcome: "released" });
    clock.advance(1_500);
    expect(await engine.expire(sale)).toEqual({ ended: 2, more: false });
    expect(await redis.zrange(expiry, "0", "-1")).toEqual([ids.slice(3).join(",")]);
    // At most `max` holds end per call: the rest of a reminder stays due.
    clock.advance(1_000);
    expect(await engine.expire(sale, 1)).toEqual({ ended: 1, more: true });
    expect(await redis.zrange(expiry, "0", "-1")).toEqual([ids[4]]);
    expect(await engine.expire(sale, 1)).toEqual({ ended: 1, more: false });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 10, held: 0, sold: 0 });
    expect(await redis.zcard(expiry)).toBe(0);
  });

  it("sweeps in bounded batches and says when more remain", async () => {
    for (let i = 0; i < 5; i++) await reserve(`c${i}`, [{ itemId: "shoe", quantity: 1 }], `r${i}`, 1_000 + i);
    await reserve("keeper", [{ itemId: "shoe", quantity: 1 }], "k", 10 * MINUTE);
    clock.advance(2_000);
    expect(await engine.expire(sale, 3)).toEqual({ ended: 3, more: true });
    expect(await engine.expire(sale, 3)).toEqual({ ended: 2, more: false });
    expect(await engine.expire(sale, 3)).toEqual({ ended: 0, more: false });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 9, held: 1, sold: 0 });
  });
});

describe("snapshot", () => {
  it("is null for a sale that was never defined", async () => {
    expect(await engine.snapshot(uniqueSaleId("none"))).toBeNull();
  });

  it("counts active holds", async () => {
    await reserve("ann", [{ itemId: "shoe", quantity: 1 }]);
    await reserve("bob", [{ itemId: "hat", quantity: 1 }]);
    expect((await engine.snapshot(sale))?.activeHolds).toBe(2);
  });
});

describe("reserve requests that share one script call", () => {
  // Requests made in the same turn of the event loop go to Redis together (HoldEngine's
  // reserve batches); each must come out exactly as if it had been sent alone, in order.
  const shoe = (quantity = 1) => [{ itemId: "shoe", quantity }];

  it("sends the requests of one turn in one script call", async () => {
    const connection = connectTestRedis();
    try {
      // Script commands handed to the connection (a command queued before the connection is
      // ready is handed over again once it is: counted once).
      const scripts = new Set<object>();
      const send = connection.sendCommand.bind(connection) as (command: Command, ...rest: unknown[]) => unknown;
      Object.assign(connection, {
        sendCommand: (command: Command, ...rest: unknown[]) => {
          if (command.name === "evalsha" || command.name === "eval") scripts.add(command);
          return send(command, ...rest);
        },
      });
      const batched = new HoldEngine(connection, { clock });
      const results = await Promise.all(
        ["a", "b", "c", "d", "e"].map((customerId) => batched.reserve(sale, { customerId, lines: shoe(), requestId: "r", ttlMs: MINUTE })),
      );
      expect(results.map((result) => result.outcome)).toEqual(["reserved", "reserved", "reserved", "reserved", "reserved"]);
      expect(scripts.size).toBe(1);
      expect(await counters("shoe")).toEqual({ allocated: 10, available: 5, held: 5, sold: 0 });
    } finally {
      await connection.quit();
    }
  });

  it("serves stock, the per-customer limit and repeats in arrival order", async () => {
    const limited = uniqueSaleId("engine-batch");
    await engine.defineSale(limited, { perCustomerLimit: 2, items: [{ itemId: "hat", allocation: 3 }] });
    const hat = { lines: [{ itemId: "hat", quantity: 1 }], ttlMs: MINUTE };
    const results = await Promise.all([
      engine.reserve(limited, { ...hat, customerId: "ann", requestId: "a1" }),
      engine.reserve(limited, { ...hat, customerId: "ann", requestId: "a1" }),
      engine.reserve(limited, { ...hat, customerId: "ann", requestId: "a2" }),
      engine.reserve(limited, { ...hat, customerId: "ann", requestId: "a3" }),
      engine.reserve(limited, { ...hat, customerId: "bob", requestId: "b1" }),
      engine.reserve(limited, { ...hat, customerId: "cy", requestId: "c1" }),
    ]);
    const [first, replay, second, third, bob, cy] = results;
    expect(first).toMatchObject({ outcome: "reserved", replayed: false });
    expect(replay).toEqual({ ...first, replayed: true });
    expect(second).toMatchObject({ outcome: "reserved", replayed: false });
    expect(third).toEqual({ outcome: "limit_exceeded", limit: 2, alreadyCounted: 2 });
    expect(bob).toMatchObject({ outcome: "reserved" });
    expect(cy).toEqual({ outcome: "sold_out", itemId: "hat", available: 0 });
    const snapshot = await engine.snapshot(limited);
    expectInvariant(snapshot);
    expect(snapshot?.items.hat).toEqual({ allocated: 3, available: 0, held: 3, sold: 0 });
    expect(snapshot?.activeHolds).toBe(3);
    // The counts written at the end of the call are the ones the next call sees.
    await engine.release(limited, (second as { holdId: string }).holdId);
    expect(await engine.reserve(limited, { ...hat, customerId: "ann", requestId: "a4" })).toMatchObject({ outcome: "reserved" });
  });

  it("counts request and address limits per request inside one call", async () => {
    const withLimits = (customerId: string, requestId: string) =>
      engine.reserve(sale, {
        customerId,
        lines: shoe(),
        requestId,
        ttlMs: MINUTE,
        rateLimit: { requester: "one-session", limit: 2, windowMs: MINUTE },
        address: { bucket: "203.0.113.9", limit: 1 },
      });
    const results = await Promise.all([withLimits("ann", "x1"), withLimits("bob", "x2"), withLimits("cy", "x3")]);
    expect(results[0]).toMatchObject({ outcome: "reserved" });
    expect(results[1]).toEqual({ outcome: "address_limit_exceeded", limit: 1, alreadyCounted: 1 });
    expect(results[2]).toMatchObject({ outcome: "rate_limited" });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 9, held: 1, sold: 0 });
  });

  it("writes the call's holds as one ledger entry, in which a forgotten customer's events stay without them", async () => {
    const results = await Promise.all(["ann", "bob", "cy"].map((customerId) => reserve(customerId, shoe())));
    const holdIds = results.map((result) => (result as { holdId: string }).holdId);
    expect(await ledgerTypes()).toEqual(["allocate", "allocate", "reserve"]);
    const ledgerKey = saleInventoryKeys(sale).ledger;
    const [[batchId, fields]] = (await redis.xrange(ledgerKey, "-", "+")).slice(2) as [[string, string[]]];
    expect(fields).toEqual([
      "t",
      "reserve",
      "at",
      String(clock.now()),
      "h",
      holdIds.join("\n"),
      "o",
      "",
      "c",
      "ann\nbob\ncy",
      "l",
      "shoe:1\nshoe:1\nshoe:1",
      "n",
      "3",
    ]);

    expect((await engine.forgetCustomer(sale, "bob", [])).ledgerEntries).toBe(1);
    const after = await redis.xrange(ledgerKey, "-", "+");
    expect(after.map(([id]) => id)).not.toContain(batchId);
    expect(after.at(-1)?.[1]).toEqual([
      ...["t", "reserve", "at", String(clock.now()), "h", holdIds.join("\n"), "o", "", "c", "ann\n\ncy", "l", "shoe:1\nshoe:1\nshoe:1", "n", "3"],
      ...["of", batchId, "p", "0\n1\n2"],
    ]);
  });

  it("ends a retried request's expired hold mid-call and lets the next request of the call use its units", async () => {
    const noReclaim = new HoldEngine(redis, { clock, reclaimBatch: 0 });
    const old = await noReclaim.reserve(sale, { customerId: "ann", lines: shoe(10), requestId: "old", ttlMs: MINUTE });
    expect(old).toMatchObject({ outcome: "reserved" });
    clock.advance(2 * MINUTE);
    const [retry, fresh] = await Promise.all([
      noReclaim.reserve(sale, { customerId: "ann", lines: shoe(10), requestId: "old", ttlMs: MINUTE }),
      noReclaim.reserve(sale, { customerId: "bob", lines: shoe(10), requestId: "new", ttlMs: MINUTE }),
    ]);
    expect(retry).toEqual({ outcome: "duplicate", holdId: (old as { holdId: string }).holdId });
    expect(fresh).toMatchObject({ outcome: "reserved", replayed: false });
    expect(await counters("shoe")).toEqual({ allocated: 10, available: 0, held: 10, sold: 0 });
    expect(await ledgerTypes()).toEqual(["allocate", "allocate", "reserve", "expire", "reserve"]);
    expect(await redis.hgetall(saleInventoryKeys(sale).customers)).toEqual({ bob: "10" });
  });
});

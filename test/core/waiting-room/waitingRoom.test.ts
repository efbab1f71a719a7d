import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { HoldEngine } from "../../../app/core/inventory/index.ts";
import { joinCounterKeys } from "../../../app/core/keys.ts";
import { silentLogger } from "../../../app/core/logger.ts";
import { AdmissionController, shopperStatus, WaitingRoom, type TicketClaims } from "../../../app/core/waiting-room/index.ts";
import { connectTestRedis, ManualClock, uniqueSaleId } from "../../support/redis.ts";
import { RATE_ROOM_SETTINGS } from "../../support/roomSettings.ts";

const redis = connectTestRedis();
afterAll(() => redis.quit());

const SETTINGS = RATE_ROOM_SETTINGS;

let clock: ManualClock;
let room: WaitingRoom;
let engine: HoldEngine;
let sale: string;

beforeEach(async () => {
  clock = new ManualClock();
  sale = uniqueSaleId("room");
  room = new WaitingRoom(redis, { clock, registryKey: `hf:test:${sale}:rooms` });
  engine = new HoldEngine(redis, { clock });
  await engine.defineSale(sale, { perCustomerLimit: 0, items: [{ itemId: "hot", allocation: 1_000 }] });
});

const ticket = (k: "p" | "q", n: number): TicketClaims => ({ typ: "ticket", s: sale, sh: "x", k, n, iat: 0 });

async function tickFor(ms: number, stepMs = 500): Promise<number> {
  let admitted = 0;
  for (let t = 0; t < ms; t += stepMs) {
    clock.advance(stepMs);
    admitted += (await room.admit(sale)).admitted;
  }
  return admitted;
}

describe("life cycle", () => {
  it("moves scheduled -> prequeue -> live <-> paused -> ended and refuses other moves", async () => {
    expect(await room.transition(sale, "live")).toEqual({ outcome: "not_found" });
    expect(await room.configure(sale, SETTINGS)).toBe("scheduled");
    expect(await room.transition(sale, "paused")).toEqual({ outcome: "invalid", state: "scheduled" });
    expect(await room.transition(sale, "prequeue")).toEqual({ outcome: "ok", state: "prequeue" });
    expect(await room.transition(sale, "live")).toEqual({ outcome: "ok", state: "live" });
    expect(await room.transition(sale, "prequeue")).toEqual({ outcome: "invalid", state: "live" });
    expect(await room.transition(sale, "paused")).toEqual({ outcome: "ok", state: "paused" });
    expect(await room.transition(sale, "live")).toEqual({ outcome: "ok", state: "live" });
    expect(await room.activeRooms()).toEqual([sale]);
    expect(await room.transition(sale, "ended")).toEqual({ outcome: "ok", state: "ended" });
    expect(await room.activeRooms()).toEqual([]);
    expect(await room.join(sale, "s1")).toEqual({ outcome: "closed", state: "ended" });
  });
});

describe("joining", () => {
  it("counts the join limits in the same call, refuses past them without taking a place, and touches nothing without limits", async () => {
    await room.configure(sale, SETTINGS);
    await room.transition(sale, "live");
    const limits = { address: "203.0.113.7", perAddress: { limit: 3, windowMs: 60_000 }, perSession: { limit: 2, windowMs: 30_000 } };
    expect(await room.join(sale, "sess-a", limits)).toEqual({ outcome: "queue", number: 1 });
    expect(await room.join(sale, "sess-a", limits)).toEqual({ outcome: "queue", number: 2 });
    const bySession = await room.join(sale, "sess-a", limits);
    expect(bySession.outcome).toBe("limited");
    if (bySession.outcome === "limited") expect(bySession.retryAfterMs).toBeGreaterThan(25_000);
    // The address is now at 4 hits > 3: another session behind it is refused with the longer window.
    const byAddress = await room.join(sale, "sess-b", limits);
    expect(byAddress.outcome).toBe("limited");
    if (byAddress.outcome === "limited") expect(byAddress.retryAfterMs).toBeGreaterThan(55_000);
    expect(await room.join(sale, "sess-c", { ...limits, address: "198.51.100.1" })).toEqual({ outcome: "queue", number: 3 });
    const counted = [joinCounterKeys(sale, "203.0.113.7", "sess-a"), joinCounterKeys(sale, "198.51.100.1", "sess-c")];
    for (const key of counted.flatMap((keys) => [keys.address, keys.session])) expect(await redis.pttl(key)).toBeGreaterThan(0);
    expect(await room.join(sale, "sess-d")).toEqual({ outcome: "queue", number: 4 });
    const untouched = joinCounterKeys(sale, "-", "sess-d");
    expect(await redis.exists(untouched.address, untouched.session)).toBe(0);
  });

  it("gives one pre-queue draw per session and shuffles the pre-queue ahead of every later ticket", async () => {
    await room.configure(sale, SETTINGS, "prequeue");
    const numbers = [];
    for (let i = 0; i < 200; i++) numbers.push(await room.join(sale, `session-${i}`));
    expect(await room.join(sale, "session-7")).toEqual(numbers[7]);
    expect(numbers.map((n) => n.outcome)).toEqual(Array(200).fill("prequeue"));
    await room.transition(sale, "live");
    const later = [await room.join(sale, "late-1"), await room.join(sale, "late-2")];
    expect(later).toEqual([
      { outcome: "queue", number: 1 },
      { outcome: "queue", number: 2 },
    ]);
    expect(await room.join(sale, "session-7")).toEqual({ outcome: "queue", number: 3 });

    const view = await room.view(sale);
    if (!view) throw new Error("no view");
    const prePlaces = numbers.map((n) => shopperStatus(view, ticket("p", n.outcome === "prequeue" ? n.number : 0), clock.now()).position as number);
    expect([...prePlaces].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(prePlaces).not.toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(shopperStatus(view, ticket("q", 1), clock.now()).position).toBe(201);
    expect(shopperStatus(view, ticket("q", 2), clock.now()).position).toBe(202);
  });

  it("answers pre-queue status with the time to the start until the room opens", async () => {
    await room.configure(sale, { ...SETTINGS, startsAt: clock.now() + 90_000 }, "prequeue");
    await room.join(sale, "s");
    const view = await room.view(sale);
    if (!view) throw new Error("no view");
    const status = shopperStatus(view, ticket("p", 1), clock.now(), () => 0.5);
    expect(status).toMatchObject({ state: "prequeue", position: null, etaSeconds: 90, refreshAfter: 30 });
  });
});

describe("admission", () => {
  it("admits by rate within one shopper per minute of the configured rate, FIFO", async () => {
    await room.configure(sale, SETTINGS);
    await room.transition(sale, "live");
    for (let i = 0; i < 2_000; i++) await room.join(sale, `s-${i}`);
    const admitted = await tickFor(60_000);
    expect(Math.abs(admitted - 600)).toBeLessThanOrEqual(1);
    const view = await room.view(sale);
    if (!view) throw new Error("no view");
    expect(shopperStatus(view, ticket("q", view.serving), clock.now()).state).toBe("admitted");
    const next = shopperStatus(view, ticket("q", view.serving + 100), clock.now());
    expect(next).toMatchObject({ state: "waiting", ahead: 99 });
    // ETA from the measured rate (10/s): 100 places take about 10 s.
    expect(next.etaSeconds).toBeGreaterThanOrEqual(9);
    expect(next.etaSeconds).toBeLessThanOrEqual(11);
  });

  it("admits nobody while paused and does not burst on resume", async () => {
    await room.configure(sale, SETTINGS);
    await room.transition(sale, "live");
    for (let i = 0; i < 500; i++) await room.join(sale, `s-${i}`);
    await room.transition(sale, "paused");
    expect(await tickFor(10_000)).toBe(0);
    await room.transition(sale, "live");
    expect(await tickFor(1_000)).toBeLessThanOrEqual(10);
  });

  it("keeps at most maxActive shoppers holding passes or holds, and returns capacity when holds end or passes lapse", async () => {
    await room.configure(sale, { ...SETTINGS, mode: "capacity", perMinute: null, maxActive: 5, passMinutes: 1 });
    await room.transition(sale, "live");
    for (let i = 0; i < 50; i++) await room.join(sale, `s-${i}`);
    expect(await tickFor(5_000)).toBe(5);

    // One admitted shopper spends the pass on a hold: still active.
    let view = await room.view(sale);
    const pass = shopperStatus(view!, ticket("q", 1), clock.now()).pass!;
    const claims = { typ: "pass" as const, s: sale, sh: "x", pos: pass.pos, b: pass.b, iat: 0, exp: Math.ceil(pass.expiresAt / 1000) };
    expect(await room.spendPass(sale, claims, "req-1")).toBe("spent");
    expect(await room.spendPass(sale, claims, "req-1")).toBe("replay");
    expect(await room.spendPass(sale, claims, "req-2")).toBe("used");
    const hold = await engine.reserve(sale, { customerId: "c1", requestId: "req-1", lines: [{ itemId: "hot", quantity: 1 }], ttlMs: 600_000 });
    expect(await tickFor(2_000)).toBe(0);

    // The hold is committed: that shopper is done, one place opens.
    if (hold.outcome !== "reserved") throw new Error("expected a hold");
    await engine.commit(sale, hold.holdId, "order-1");
    expect(await tickFor(1_000)).toBe(1);

    // Unspent passes lapse a minute after admission (t=0.5 s and t=7.5 s) and give their capacity back.
    expect(await tickFor(50_000)).toBe(0);
    expect(await tickFor(12_000)).toBe(5);
    view = await room.view(sale);
    expect(shopperStatus(view!, ticket("q", 2), clock.now()).state).toBe("expired");
  });

  it("never admits more shoppers than units left, and tells the queue when it is sold out", async () => {
    const small = uniqueSaleId("small");
    await engine.defineSale(small, { perCustomerLimit: 0, items: [{ itemId: "hot", allocation: 3 }] });
    await room.configure(small, { ...SETTINGS, perMinute: 6_000 });
    await room.transition(small, "live");
    for (let i = 0; i < 100; i++) await room.join(small, `s-${i}`);
    let admitted = 0;
    for (let i = 0; i < 10; i++) {
      clock.advance(500);
      admitted += (await room.admit(small)).admitted;
    }
    expect(admitted).toBe(3);

    await engine.take(small, { orderRef: "o", lines: [{ itemId: "hot", quantity: 3 }] });
    clock.advance(500);
    expect(await room.admit(small)).toMatchObject({ admitted: 0, soldOut: true });
    const view = await room.view(small);
    expect(shopperStatus(view!, { ...ticket("q", 50), s: small }, clock.now()).state).toBe("soldout");
  });
});

describe("controller", () => {
  it("reclaims lapsed holds before admitting, so a line stuck behind expired carts moves again", async () => {
    const small = uniqueSaleId("lapsed");
    await engine.defineSale(small, { perCustomerLimit: 0, items: [{ itemId: "hot", allocation: 2 }] });
    await room.configure(small, { ...SETTINGS, mode: "capacity", perMinute: null, maxActive: 10 });
    await room.transition(small, "live");
    for (let i = 0; i < 5; i++) await room.join(small, `s-${i}`);
    await engine.reserve(small, { customerId: "a", requestId: "r1", lines: [{ itemId: "hot", quantity: 2 }], ttlMs: 60_000 });
    const controller = new AdmissionController(redis, room, { clock, logger: silentLogger, expireHolds: (saleId) => engine.expire(saleId) });
    const withoutSweep = new AdmissionController(redis, room, { clock, logger: silentLogger });
    clock.advance(61_000);
    expect((await withoutSweep.tick()).get(small)).toMatchObject({ admitted: 0, soldOut: true });
    await withoutSweep.stop();
    expect((await controller.tick()).get(small)).toMatchObject({ admitted: 2, soldOut: false });
    await controller.stop();
  });

  it("lets one controller lead at a time and hands over when it stops", async () => {
    await room.configure(sale, { ...SETTINGS, startsAt: clock.now() + 1_000, endsAt: clock.now() + 5_000 }, "scheduled");
    const transitions: string[] = [];
    const options = { clock, logger: silentLogger, onScheduledTransition: (_: string, state: string) => void transitions.push(state) };
    const first = new AdmissionController(redis, room, options);
    const second = new AdmissionController(redis, room, options);
    await first.tick();
    await second.tick();
    expect([first.isLeader, second.isLeader]).toEqual([true, false]);

    clock.advance(1_000);
    await first.tick();
    expect((await room.view(sale))?.state).toBe("live");
    await first.stop();
    await second.tick();
    expect(second.isLeader).toBe(true);
    clock.advance(4_000);
    await second.tick();
    expect((await room.view(sale))?.state).toBe("ended");
    expect(transitions).toEqual(["live", "ended"]);
    await second.stop();
  });
});

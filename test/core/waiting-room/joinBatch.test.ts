// Joins gathered into one script call per batch (WaitingRoom.join + joinRoomBatch.lua): each join
// is answered exactly as if it had its own call. Runs on the cluster project too.
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { saleRoomKeys } from "../../../app/core/keys.ts";
import type { RedisClient } from "../../../app/core/redis.ts";
import { joinBatchOptionsFromEnv, WaitingRoom, type JoinResult } from "../../../app/core/waiting-room/index.ts";
import { connectTestRedis, uniqueSaleId } from "../../support/redis.ts";
import { RATE_ROOM_SETTINGS } from "../../support/roomSettings.ts";

const redis = connectTestRedis();
afterAll(() => redis.quit());

const SETTINGS = RATE_ROOM_SETTINGS;
const MAX_BATCH = 64;

/** Counts the script calls this connection sends, so a test sees how many batches there were. */
function countScriptCalls(client: RedisClient): { readonly calls: number } {
  const counter = { calls: 0 };
  const send = client.sendCommand.bind(client) as (...args: unknown[]) => unknown;
  Reflect.set(client, "sendCommand", (...args: unknown[]) => {
    const name = (args[0] as { name?: string } | undefined)?.name;
    if (name === "evalsha" || name === "eval") counter.calls++;
    return send(...args);
  });
  return counter;
}

let sale: string;
let room: WaitingRoom;
let client: RedisClient;
let scriptCalls: { readonly calls: number };

beforeEach(async () => {
  sale = uniqueSaleId("batch");
  // A connection of the room's own, so the count sees only its calls.
  client = connectTestRedis();
  scriptCalls = countScriptCalls(client);
  room = new WaitingRoom(client, { registryKey: `hf:test:${sale}:rooms`, joinBatch: { maxBatch: MAX_BATCH } });
  return async () => {
    await client.del(room.registryKey);
    await client.quit();
  };
});

const limits = (address: string, perAddress: number, perSession: number) => ({
  address,
  perAddress: { limit: perAddress, windowMs: 60_000 },
  perSession: { limit: perSession, windowMs: 60_000 },
});
const numberOf = (result: JoinResult) => (result.outcome === "queue" || result.outcome === "prequeue" ? result.number : null);

describe("a batch of joins", () => {
  it("enforces the address and session limits exactly inside a batch, numbers the admitted in arrival order, and takes no place for a refused one", async () => {
    await room.configure(sale, SETTINGS);
    await room.transition(sale, "live");
    // 300 joins at once: 3 addresses allowing 40 each, every session sending twice but allowed once.
    const calls = Array.from({ length: 300 }, (_, i) => ({ address: `198.51.100.${i % 3}`, session: `s-${Math.floor(i / 2)}` }));
    const scriptCallsBefore = scriptCalls.calls;
    const results = await Promise.all(calls.map((call) => room.join(sale, call.session, limits(call.address, 40, 1))));
    const batches = scriptCalls.calls - scriptCallsBefore;
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThanOrEqual(Math.ceil(300 / MAX_BATCH) + 1);

    // Replay the same arrivals against the limits by hand: what one call per join would answer.
    const perAddress = new Map<string, number>();
    const perSession = new Map<string, number>();
    const expected = calls.map((call) => {
      const address = (perAddress.get(call.address) ?? 0) + 1;
      const session = (perSession.get(call.session) ?? 0) + 1;
      perAddress.set(call.address, address);
      perSession.set(call.session, session);
      return address <= 40 && session <= 1;
    });
    expect(results.map((result) => result.outcome)).toEqual(expected.map((placed) => (placed ? "queue" : "limited")));
    const placed = results.map(numberOf).filter((number): number is number => number !== null);
    expect(placed).toEqual(Array.from({ length: placed.length }, (_, i) => i + 1));
    expect((await room.view(sale))?.issued).toBe(placed.length);
    for (const result of results) if (result.outcome === "limited") expect(result.retryAfterMs).toBeGreaterThan(0);
  });

  it("keeps one pre-queue draw per session, within a batch and across batches", async () => {
    await room.configure(sale, SETTINGS, "prequeue");
    const first = await Promise.all(Array.from({ length: 100 }, (_, i) => room.join(sale, `p-${i % 50}`)));
    const again = await Promise.all(Array.from({ length: 50 }, (_, i) => room.join(sale, `p-${i}`)));
    expect(first.every((result) => result.outcome === "prequeue")).toBe(true);
    expect(first.slice(50)).toEqual(first.slice(0, 50));
    expect(again).toEqual(first.slice(0, 50));
    expect(new Set(first.map(numberOf)).size).toBe(50);
    expect((await room.view(sale))?.prequeued).toBe(50);
  });

  it("answers every join of a closed room with its state, after counting the limits", async () => {
    const joinAll = (count: number, extra?: ReturnType<typeof limits>) =>
      Promise.all(Array.from({ length: count }, (_, i) => room.join(sale, `c-${i}`, extra)));
    expect(await joinAll(3)).toEqual(Array(3).fill({ outcome: "closed", state: null }));
    await room.configure(sale, SETTINGS);
    expect(await joinAll(3)).toEqual(Array(3).fill({ outcome: "closed", state: "scheduled" }));
    await room.transition(sale, "live");
    await room.transition(sale, "ended");
    const ended = await joinAll(4, limits("203.0.113.9", 2, 10));
    expect(ended.map((result) => result.outcome)).toEqual(["closed", "closed", "limited", "limited"]);
    expect(ended[0]).toEqual({ outcome: "closed", state: "ended" });
    expect((await room.view(sale))?.issued).toBe(0);
  });

  it("fails every join of a batch Redis refuses with that error, and the next batch works", async () => {
    await room.configure(sale, SETTINGS);
    await room.transition(sale, "live");
    const roomKey = saleRoomKeys(sale).room;
    const settings = await client.hgetall(roomKey);
    // The room hash replaced by a string: the script's first HGET fails for the whole batch.
    await client.del(roomKey);
    await client.set(roomKey, "not a hash");
    const failed = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => room.join(sale, `e-${i}`)));
    const reasons = failed.map((result) => (result.status === "rejected" ? String(result.reason) : "answered"));
    expect(new Set(reasons).size).toBe(1);
    expect(reasons[0]).toMatch(/WRONGTYPE/);

    await client.del(roomKey);
    await client.hset(roomKey, settings);
    const next = await Promise.all(Array.from({ length: 20 }, (_, i) => room.join(sale, `n-${i}`)));
    expect(next.map(numberOf)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1 + Number(settings.issued ?? 0)));
  });
});

describe("the fairness bound setting", () => {
  it("reads HOLDFAST_JOIN_MAX_WAIT_MS in whole milliseconds from 1 to 1000, and refuses anything else", () => {
    expect(joinBatchOptionsFromEnv({})).toEqual({});
    expect(joinBatchOptionsFromEnv({ HOLDFAST_JOIN_MAX_WAIT_MS: "20" })).toEqual({ maxWaitMs: 20 });
    for (const bad of ["0", "1001", "2.5", "soon"])
      expect(() => joinBatchOptionsFromEnv({ HOLDFAST_JOIN_MAX_WAIT_MS: bad })).toThrow(/HOLDFAST_JOIN_MAX_WAIT_MS/);
  });
});

// The fairness bound of batched joins (WaitingRoom.join on CallBatcher): across processes, no shopper is numbered
// after another who reached their process more than `maxWaitMs` earlier, plus the difference
// of the two processes' own latency to Redis (which one call per join had as well).
import { randomBytes } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";

import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { WaitingRoom } from "../../../app/core/waiting-room/index.ts";
import { worstInversion, type RecordedJoin } from "../../support/joinFairness.ts";
import { RedisProxy } from "../../support/redisProxy.ts";
import { uniqueSaleId } from "../../support/redis.ts";
import { RATE_ROOM_SETTINGS } from "../../support/roomSettings.ts";

const MAX_WAIT_MS = 5;
/** The slow process's extra latency to Redis: every command it sends is held this long. */
const SLOW_LINK_MS = 25;
/** Loopback transit and Redis's own queue, which the bound does not cover (well under this). */
const TRANSIT_ALLOWANCE_MS = 10;
const JOINS = 600;

const SETTINGS = RATE_ROOM_SETTINGS;

describe("the fairness checker", () => {
  const join = (process: string, joinedAt: number, number: number): RecordedJoin => ({ process, joinedAt, number });

  it("finds no inversion when numbers follow the joining order, and measures the worst one when they do not", () => {
    expect(worstInversion([join("a", 0, 1), join("b", 1, 2), join("a", 2, 3)])).toBeNull();
    const worst = worstInversion([join("a", 0, 2), join("b", 3, 1), join("a", 5, 3), join("b", 4, 4)]);
    expect(worst?.byMs).toBe(3);
    expect(worst?.first.number).toBe(1);
    expect(worst?.second.number).toBe(2);
  });

  it("catches a lease handed out long ago: a block of numbers taken at the start and given out a second later", () => {
    const bound = MAX_WAIT_MS + SLOW_LINK_MS + TRANSIT_ALLOWANCE_MS;
    // Process "lease" took numbers 1-10 at t=0 but gives them to shoppers arriving at t=1000..1009;
    // process "plain" numbers its shoppers of t=10..19 as they come: 11-20.
    const joins = [
      ...Array.from({ length: 10 }, (_, i) => join("plain", 10 + i, 11 + i)),
      ...Array.from({ length: 10 }, (_, i) => join("lease", 1_000 + i, 1 + i)),
    ];
    const worst = worstInversion(joins);
    expect(worst?.byMs).toBeGreaterThan(bound);
    expect(worst?.first.process).toBe("lease");
    expect(worst?.second.process).toBe("plain");
  });
});

// The slow process reaches Redis through a delaying proxy of a standalone Redis; the cluster
// project checks the batch script itself (joinBatch.test.ts), this checks the batcher.
describe.skipIf(Boolean(inject("redisClusterNodes")))("joins from two processes, one of them far from Redis", () => {
  let proxy: RedisProxy;
  let fastRedis: Redis;
  let slowRedis: Redis;
  const registryKey = `hf:test:fairness-${randomBytes(4).toString("hex")}:rooms`;

  beforeAll(async () => {
    proxy = await RedisProxy.start(undefined, { delayMs: SLOW_LINK_MS });
    fastRedis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    slowRedis = new Redis(proxy.url);
  });

  afterAll(async () => {
    await fastRedis?.del(registryKey);
    await fastRedis?.quit();
    await slowRedis?.quit();
    await proxy?.close();
  });

  it("numbers every shopper within the bound of everyone who joined earlier, with no number lost or repeated", async () => {
    const processes = {
      fast: new WaitingRoom(fastRedis, { registryKey, joinBatch: { maxWaitMs: MAX_WAIT_MS } }),
      slow: new WaitingRoom(slowRedis, { registryKey, joinBatch: { maxWaitMs: MAX_WAIT_MS } }),
    };
    const sale = uniqueSaleId("fair");
    await processes.fast.configure(sale, SETTINGS);
    await processes.fast.transition(sale, "live");
    // Wake both connections (and load the script on each) so the first joins measure the batcher.
    await Promise.all([processes.fast.join(sale, "warm-fast"), processes.slow.join(sale, "warm-slow")]);

    // The test's own event loop stalls count against the bound too: timers fire late by as much.
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const recorded: Promise<RecordedJoin>[] = [];
    for (let i = 0; i < JOINS; i++) {
      const name = (i * 7) % 3 === 0 ? "slow" : "fast";
      const joinedAt = performance.now();
      recorded.push(
        processes[name].join(sale, `shopper-${i}`).then((joined) => {
          if (joined.outcome !== "queue") throw new Error(`join ${i} answered ${joined.outcome}`);
          return { process: name, joinedAt, number: joined.number };
        }),
      );
      // Arrivals spread over time, a few per event-loop turn, so batches are in flight while others gather.
      if (i % 3 === 2) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const joins = await Promise.all(recorded);
    loopDelay.disable();
    const loopStallMs = loopDelay.max / 1e6;

    // No phantom numbers: the places are exactly 3..JOINS+2 (after the two warm-up joins), once each.
    expect(joins.map((join) => join.number).sort((a, b) => a - b)).toEqual(Array.from({ length: JOINS }, (_, i) => i + 3));
    expect((await processes.fast.view(sale))?.issued).toBe(JOINS + 2);
    // Within one process, numbers follow the arrival order exactly.
    for (const name of ["fast", "slow"]) expect(worstInversion(joins.filter((join) => join.process === name))).toBeNull();
    // Across processes, within the bound.
    const bound = MAX_WAIT_MS + SLOW_LINK_MS + TRANSIT_ALLOWANCE_MS + 2 * loopStallMs;
    const worst = worstInversion(joins);
    expect(worst?.byMs ?? 0, `worst inversion ${JSON.stringify(worst)}; bound ${bound.toFixed(1)} ms`).toBeLessThanOrEqual(bound);
  });
});

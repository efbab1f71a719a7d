import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { RedisCostBudget, type RedisCostBudgetOptions } from "../../../app/core/resilience/index.ts";
import { connectTestRedis } from "../../support/redis.ts";

// Two connections: two worker processes sharing one store's bucket.
const redisA = connectTestRedis();
const redisB = connectTestRedis();
afterAll(async () => {
  await redisA.quit();
  await redisB.quit();
});

let prefix: string;
beforeEach(() => {
  prefix = `hf:budget:t-${randomBytes(5).toString("hex")}:`;
});
const budgets = (options: RedisCostBudgetOptions = {}) =>
  [new RedisCostBudget(redisA, "shop-1", { keyPrefix: prefix, ...options }), new RedisCostBudget(redisB, "shop-1", { keyPrefix: prefix, ...options })] as const;
const status = (currentlyAvailable: number, maximumAvailable = 100, restoreRate = 0.001) => ({ maximumAvailable, currentlyAvailable, restoreRate });

/** Only ever expected false (the books block the caller); a caller expected through is awaited, however slow the machine. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true), sleep(ms).then(() => false)]);
}

describe("RedisCostBudget", () => {
  it("lets one probe through across processes until the platform has reported", async () => {
    const [a, b] = budgets();
    const probe = await a.acquire(10);
    const second = b.acquire(10);
    expect(await settlesWithin(second, 120)).toBe(false);
    await probe.settle(status(90, 100, 1_000));
    await second;
  });

  it("keeps one set of books for every process", async () => {
    const [a, b] = budgets();
    await (await a.acquire(0)).settle(status(100));
    await a.acquire(60);
    await expect(b.acquire(50, { maxWaitMs: 50 })).rejects.toMatchObject({ kind: "throttled", details: { code: "budget_wait" } });
    await expect(b.acquire(40)).resolves.toMatchObject({ cost: 40 });
    await expect(a.acquire(1, { maxWaitMs: 10 })).rejects.toMatchObject({ kind: "throttled" });
    await expect(b.acquire(101)).rejects.toMatchObject({ kind: "rejected", details: { code: "cost_exceeds_bucket" } });
  });

  it("drops to a report below its books, never rises on one", async () => {
    const [a] = budgets();
    await (await a.acquire(0)).settle(status(100));
    const r = await a.acquire(10);
    await r.settle(status(100)); // a stale or refunding report: books stay at 90
    await expect(a.acquire(91, { maxWaitMs: 10 })).rejects.toMatchObject({ kind: "throttled" });
    const s = await a.acquire(10);
    await s.settle(status(30)); // someone else spent: 30 left
    await expect(a.acquire(31, { maxWaitMs: 10 })).rejects.toMatchObject({ kind: "throttled" });
    await expect(a.acquire(30)).resolves.toMatchObject({ cost: 30 });
  });

  it("forgets the reservations of a process that died holding them", async () => {
    const [a, b] = budgets({ reservationTtlMs: 150 });
    // Timed from before the reservation exists, so a slow machine can only make it longer.
    const started = performance.now();
    await a.acquire(10); // the probe; its process crashes before settling
    await b.acquire(10);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  // Two budgets, so no duration decides an outcome: a grace far longer than any stall for
  // "still counted", a short one polled until it has passed for "then forgotten".
  it("counts an answerless reservation against the cap for a grace period", async () => {
    const [a] = budgets({ releaseGraceMs: 60_000 });
    await (await a.acquire(0)).settle(status(100, 100, 10_000)); // refills fast: only the cap limits
    const lost = await a.acquire(60);
    await lost.release(); // timed out: might still reach the platform
    await expect(a.acquire(50, { maxWaitMs: 60 })).rejects.toMatchObject({ kind: "throttled" });
  });

  it("forgets an answerless reservation once its grace period is over", async () => {
    const [a] = budgets({ releaseGraceMs: 300 });
    await (await a.acquire(0)).settle(status(100, 100, 10_000));
    await (await a.acquire(60)).release();
    const afford = () =>
      a.acquire(50, { maxWaitMs: 60 }).then(
        () => true,
        () => false,
      );
    await expect.poll(afford, { timeout: 30_000, interval: 50 }).toBe(true);
  });
});

import { setTimeout as sleep } from "node:timers/promises";

import { describe, expect, it } from "vitest";

import { CostBudget, CostBudgetRegistry } from "../../../app/core/resilience/index.ts";
import { ManualClock } from "../../support/redis.ts";

const status = (currentlyAvailable: number, maximumAvailable = 100, restoreRate = 1_000) => ({ maximumAvailable, currentlyAvailable, restoreRate });

/**
 * True if `promise` settles within `ms`. Only ever expected false, for a caller the budget's
 * own books block (nothing the machine's speed can change); a caller expected through is
 * awaited instead, however long a loaded machine takes. The budgets run on a manual clock
 * wherever refills matter, so elapsed time never decides an outcome.
 */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true), sleep(ms).then(() => false)]);
}

describe("CostBudget", () => {
  it("sends a single probe until the platform has reported its bucket", async () => {
    const budget = new CostBudget();
    const probe = await budget.acquire(10);
    const second = budget.acquire(10);
    expect(await settlesWithin(second, 30)).toBe(false);
    probe.settle(status(90));
    await second;
    expect(budget.snapshot()).toMatchObject({ maximumAvailable: 100, restoreRate: 1_000, inFlight: 1 });
  });

  it("a failed probe lets the next request probe", async () => {
    const budget = new CostBudget();
    const probe = await budget.acquire(10);
    const second = budget.acquire(10);
    probe.release();
    await second;
  });

  it("spends what it has at once, then waits for the bucket to refill at the restore rate", async () => {
    const clock = new ManualClock();
    const budget = new CostBudget({ restoreSafety: 1, clock });
    (await budget.acquire(1)).settle(status(50, 100, 200)); // 200 points/s: 10 points take 50 ms
    for (let i = 0; i < 5; i++) await budget.acquire(10); // 50 points: available with no time passing
    const more = budget.acquire(30); // 30 more points: 150 ms of refill
    clock.advance(140);
    expect(await settlesWithin(more, 100)).toBe(false); // 28 points so far
    clock.advance(10);
    await more;
    expect(budget.snapshot()?.currentlyAvailable).toBeCloseTo(0);
  });

  it("serves callers in arrival order, a big request is not starved by small ones", async () => {
    const budget = new CostBudget({ restoreSafety: 1 });
    (await budget.acquire(1)).settle(status(0, 100, 1_000));
    const order: string[] = [];
    const big = budget.acquire(80).then(() => order.push("big"));
    const small = budget.acquire(5).then(() => order.push("small"));
    await Promise.all([big, small]);
    expect(order).toEqual(["big", "small"]);
  });

  it("keeps its own books while reports agree, and drops to a report that proves someone else spends", async () => {
    const budget = new CostBudget({ restoreSafety: 1 });
    (await budget.acquire(1)).settle(status(100, 100, 0.001));
    const a = await budget.acquire(20);
    const b = await budget.acquire(30);
    const level = () => Math.round(budget.snapshot()!.currentlyAvailable);
    expect(level()).toBe(50);
    a.settle(status(80, 100, 0.001)); // charged a, not b yet: agrees with our books
    expect(level()).toBe(50);
    const c = await budget.acquire(10);
    c.settle(status(100, 100, 0.001)); // a refund, or a stale answer overtaken by newer ones: never raises the mirror
    expect(level()).toBe(40);
    const d = await budget.acquire(5);
    d.settle(status(20, 100, 0.001)); // below our books (35): another spender; b may be uncharged, count it
    expect(level()).toBe(-10);
    b.release(); // no answer: its points stay spent
    expect(level()).toBe(-10);
    b.settle(status(100)); // a second finish is ignored
    expect(level()).toBe(-10);
  });

  it("counts requests in flight against the bucket's size: refills cannot be spent twice", async () => {
    const clock = new ManualClock();
    const budget = new CostBudget({ restoreSafety: 1, clock });
    (await budget.acquire(1)).settle(status(100, 100, 10_000)); // refills in 10 ms: only the size limits
    const inFlight = await budget.acquire(60);
    const next = budget.acquire(50);
    clock.advance(1_000); // the bucket is full again, but 60 points are still out
    expect(await settlesWithin(next, 80)).toBe(false);
    inFlight.settle(status(40, 100, 10_000));
    clock.advance(1_000);
    await (await next).settle(status(100, 100, 10_000));
    clock.advance(1_000);
    const lost = await budget.acquire(60);
    lost.release(); // no answer: may still arrive, so it keeps its place for the grace period (10 s)
    clock.advance(1_000);
    expect(await settlesWithin(budget.acquire(50), 80)).toBe(false);
  });

  it("tells the caller to defer (throttled, retryAfterMs) rather than wait past maxWaitMs", async () => {
    // A frozen clock: no refill between the report and the asks, so the wait is exactly 200 ms.
    const clock = new ManualClock();
    const budget = new CostBudget({ maxWaitMs: 100, restoreSafety: 1, clock });
    (await budget.acquire(1)).settle(status(0, 1_000, 50));
    await expect(budget.acquire(10)).rejects.toMatchObject({ kind: "throttled", details: { code: "budget_wait", retryAfterMs: 200 } });
    const small = budget.acquire(2); // 40 ms is fine
    clock.advance(40);
    await expect(small).resolves.toMatchObject({ cost: 2 });
  });

  it("refuses a request that costs more than the whole bucket", async () => {
    const budget = new CostBudget();
    (await budget.acquire(1)).settle(status(100));
    await expect(budget.acquire(101)).rejects.toMatchObject({ kind: "rejected", details: { code: "cost_exceeds_bucket" } });
  });

  it("keeps one budget per store", () => {
    const registry = new CostBudgetRegistry();
    expect(registry.for("a.myshopify.com")).toBe(registry.for("a.myshopify.com"));
    expect(registry.for("a.myshopify.com")).not.toBe(registry.for("b.myshopify.com"));
  });
});

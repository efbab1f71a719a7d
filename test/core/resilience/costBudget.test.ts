import { setTimeout as sleep } from "node:timers/promises";

import { describe, expect, it } from "vitest";

import { CostBudget, CostBudgetRegistry } from "../../../app/core/resilience/index.ts";

const status = (currentlyAvailable: number, maximumAvailable = 100, restoreRate = 1_000) => ({ maximumAvailable, currentlyAvailable, restoreRate });

/** Resolves to true if `promise` settles within `ms`. */
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
    expect(await settlesWithin(second, 30)).toBe(true);
    expect(budget.snapshot()).toMatchObject({ maximumAvailable: 100, restoreRate: 1_000, inFlight: 1 });
  });

  it("a failed probe lets the next request probe", async () => {
    const budget = new CostBudget();
    const probe = await budget.acquire(10);
    const second = budget.acquire(10);
    probe.release();
    expect(await settlesWithin(second, 30)).toBe(true);
  });

  it("spends what it has at once, then waits for the bucket to refill at the restore rate", async () => {
    const budget = new CostBudget({ restoreSafety: 1 });
    (await budget.acquire(1)).settle(status(50, 100, 200)); // 200 points/s: 10 points take 50 ms
    const started = performance.now();
    for (let i = 0; i < 5; i++) await budget.acquire(10); // 50 points: available now
    expect(performance.now() - started).toBeLessThan(45);
    await budget.acquire(30); // 30 more points: 150 ms of refill
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
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
    const budget = new CostBudget({ restoreSafety: 1 });
    (await budget.acquire(1)).settle(status(100, 100, 10_000)); // refills in 10 ms: only the size limits
    const inFlight = await budget.acquire(60);
    const next = budget.acquire(50);
    expect(await settlesWithin(next, 80)).toBe(false);
    inFlight.settle(status(40, 100, 10_000));
    expect(await settlesWithin(next, 80)).toBe(true);
    await (await next).settle(status(100, 100, 10_000));
    const lost = await budget.acquire(60);
    lost.release(); // no answer: may still arrive, so it keeps its place for the grace period
    expect(await settlesWithin(budget.acquire(50), 80)).toBe(false);
  });

  it("tells the caller to defer (throttled, retryAfterMs) rather than wait past maxWaitMs", async () => {
    const budget = new CostBudget({ maxWaitMs: 100, restoreSafety: 1 });
    (await budget.acquire(1)).settle(status(0, 1_000, 50));
    await expect(budget.acquire(10)).rejects.toMatchObject({ kind: "throttled", details: { code: "budget_wait", retryAfterMs: 200 } });
    await expect(budget.acquire(2)).resolves.toMatchObject({ cost: 2 }); // 40 ms is fine
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

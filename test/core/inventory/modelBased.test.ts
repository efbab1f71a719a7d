import fc from "fast-check";
import { afterAll, expect, it } from "vitest";

import { HoldEngine, type Line } from "../../../app/core/inventory/index.ts";
import { connectTestRedis, ManualClock, uniqueSaleId } from "../../support/redis.ts";
import { expectInvariant } from "./invariant.ts";
import { InventoryModel } from "./model.ts";

const redis = connectTestRedis();
afterAll(() => redis.quit());

const ITEMS = ["a", "b", "c"];
const CUSTOMERS = ["ann", "bob", "cat", "dan"];
const RECLAIM_BATCH = 2;

const lineArb = fc.record({ itemId: fc.constantFrom(...ITEMS, ...ITEMS, "ghost"), quantity: fc.integer({ min: 1, max: 4 }) });
const linesArb = fc.uniqueArray(lineArb, { minLength: 1, maxLength: 3, selector: (line) => line.itemId });
const action = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("reserve" as const),
      customer: fc.constantFrom(...CUSTOMERS),
      request: fc.integer({ min: 0, max: 5 }), // Coarse steps make "now == expiresAt" common, so the expiry boundary is exercised.
      ttl: fc.integer({ min: 2, max: 16 }).map((n) => n * 500),
      lines: linesArb,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("commit" as const), pick: fc.nat(), order: fc.integer({ min: 0, max: 6 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("take" as const),
      order: fc.integer({ min: 0, max: 6 }),
      customer: fc.option(fc.constantFrom(...CUSTOMERS), { nil: undefined }),
      lines: linesArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("adjust" as const),
      item: fc.constantFrom(...ITEMS, "ghost"),
      delta: fc.integer({ min: -6, max: 6 }).filter((d) => d !== 0),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("expire" as const), max: fc.integer({ min: 1, max: 3 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("settle" as const),
      order: fc.integer({ min: 0, max: 6 }),
      picks: fc.array(fc.nat(), { maxLength: 3 }),
      customer: fc.option(fc.constantFrom(...CUSTOMERS), { nil: undefined }),
      lines: linesArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("report" as const), item: fc.constantFrom(...ITEMS, "ghost"), available: fc.integer({ min: -2, max: 12 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("written" as const), item: fc.constantFrom(...ITEMS), available: fc.integer({ min: 0, max: 12 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 1, max: 8 }).map((n) => n * 500) }) },
);

it("agrees with a plain model after every step of random operation sequences", async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.array(action, { minLength: 1, maxLength: 40 }), async (limit, actions) => {
      const clock = new ManualClock();
      const engine = new HoldEngine(redis, { clock, reclaimBatch: RECLAIM_BATCH });
      const sale = uniqueSaleId("model");
      const allocations = { a: 6, b: 3, c: 1 };
      await engine.defineSale(sale, {
        perCustomerLimit: limit * 3,
        items: Object.entries(allocations).map(([itemId, allocation]) => ({ itemId, allocation })),
      });
      const model = new InventoryModel(limit * 3, RECLAIM_BATCH, allocations);
      const holdIds: string[] = [];
      const pickHold = (pick: number) => holdIds[pick % Math.max(holdIds.length, 1)] ?? "never-issued";

      for (const step of actions) {
        let actual: unknown;
        let expected: unknown;
        switch (step.kind) {
          case "reserve": {
            const lines: Line[] = step.lines;
            const result = await engine.reserve(sale, { customerId: step.customer, requestId: `r${step.request}`, ttlMs: step.ttl, lines });
            const newId = result.outcome === "reserved" ? result.holdId : "unused";
            expected = model.reserve(newId, step.customer, `r${step.request}`, clock.now(), step.ttl, lines);
            actual = result;
            if (result.outcome === "reserved" && !result.replayed) holdIds.push(result.holdId);
            break;
          }
          case "release": {
            const holdId = pickHold(step.pick);
            [actual, expected] = [await engine.release(sale, holdId), model.release(holdId)];
            break;
          }
          case "commit": {
            const holdId = pickHold(step.pick);
            [actual, expected] = [await engine.commit(sale, holdId, `o${step.order}`), model.commit(holdId, `o${step.order}`)];
            break;
          }
          case "take":
            actual = await engine.take(sale, { orderRef: `o${step.order}`, customerId: step.customer, lines: step.lines });
            expected = model.take(`o${step.order}`, step.customer, clock.now(), step.lines);
            break;
          case "settle": {
            const picked = step.picks.map(pickHold);
            actual = await engine.settleOrder(sale, { orderRef: `o${step.order}`, customerId: step.customer, holdIds: picked, lines: step.lines });
            expected = model.settleOrder(`o${step.order}`, step.customer, clock.now(), picked, step.lines);
            break;
          }
          case "report":
            [actual, expected] = [await engine.platformReport(sale, step.item, step.available), model.platformReport(step.item, step.available)];
            break;
          case "written":
            await engine.platformWritten(sale, [{ itemId: step.item, available: step.available }]);
            model.platformWritten([{ itemId: step.item, available: step.available }]);
            actual = expected = null;
            break;
          case "adjust":
            [actual, expected] = [await engine.adjust(sale, step.item, step.delta), model.adjust(step.item, step.delta)];
            break;
          case "expire":
            [actual, expected] = [await engine.expire(sale, step.max), model.expire(clock.now(), step.max)];
            break;
          case "advance":
            clock.advance(step.ms);
            continue;
        }
        expect(actual, JSON.stringify(step)).toEqual(expected);
        const snapshot = await engine.snapshot(sale);
        expectInvariant(snapshot);
        expect(snapshot?.items).toEqual(Object.fromEntries(model.items));
        expect(snapshot?.activeHolds).toBe(model.holds.size);
        expect(snapshot?.oversold).toEqual(Object.fromEntries(model.oversold));
      }
    }),
    { numRuns: Number(process.env.MODEL_RUNS ?? 150) },
  );
});

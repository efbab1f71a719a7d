import { afterAll, beforeEach, expect, it } from "vitest";

import { CheckoutStore } from "../../../app/core/checkout/index.ts";
import { HoldEngine } from "../../../app/core/inventory/index.ts";
import { connectTestRedis, ManualClock, uniqueSaleId } from "../../support/redis.ts";

const redis = connectTestRedis();
afterAll(() => redis.quit());

let clock: ManualClock;
let engine: HoldEngine;
let checkouts: CheckoutStore;
let sale: string;

beforeEach(async () => {
  clock = new ManualClock();
  engine = new HoldEngine(redis, { clock });
  checkouts = new CheckoutStore(redis, { clock, holdExtensionMs: 10_000 });
  sale = uniqueSaleId("extension");
  await engine.defineSale(sale, { perCustomerLimit: 0, items: [{ itemId: "shoe", allocation: 5 }] });
});

const reserve = (customerId: string, ttlMs: number) => engine.reserve(sale, { customerId, lines: [{ itemId: "shoe", quantity: 1 }], requestId: "r", ttlMs });
const open = (holdId: string) => checkouts.open({ saleId: sale, holdId, storeId: null, payment: { method: "test" }, customer: null });
const held = async () => (await engine.snapshot(sale))?.items.shoe?.held;

it("an opened checkout keeps its hold past the end its reserve set, until the checkout's deadline", async () => {
  // Both holds come from one script call and share one expiry reminder.
  const [kept, other] = await Promise.all([reserve("ann", 2_000), reserve("bob", 2_000)]);
  if (kept?.outcome !== "reserved" || other?.outcome !== "reserved") throw new Error("expected holds");
  expect(await open(kept.holdId)).toMatchObject({ outcome: "opened" });
  clock.advance(3_000);
  // The shared reminder ends the other hold only: the kept hold's record says it ends later.
  expect(await engine.expire(sale)).toEqual({ ended: 1, more: false });
  expect(await held()).toBe(1);
  clock.advance(10_000);
  expect(await engine.expire(sale)).toEqual({ ended: 1, more: false });
  expect(await held()).toBe(0);
});

it("refuses to open a checkout on a hold whose end has passed, reclaimed or not", async () => {
  const late = await reserve("ann", 1_000);
  if (late.outcome !== "reserved") throw new Error("expected a hold");
  clock.advance(2_000);
  expect(await open(late.holdId)).toEqual({ outcome: "hold_expired" });
  await engine.expire(sale);
  expect(await open(late.holdId)).toEqual({ outcome: "hold_gone" });
});

import { afterAll, beforeAll, expect, it } from "vitest";

import { saleRoomKeys } from "../../../app/core/keys.ts";
import { connectTestRedis, ManualClock } from "../../support/redis.ts";
import { Shopper, startStorefront, type Storefront } from "../../support/storefront.ts";

let shop: Storefront;
beforeAll(async () => {
  shop = await startStorefront({ viewFreshMs: 0 });
});
afterAll(() => shop.close());

it("shuffles the pre-queue at the start, keeps it ahead of later arrivals, and serves later arrivals FIFO", async () => {
  const saleId = await shop.createSale({ mode: "rate", perMinute: 600, state: "prequeue", startsAt: Date.now() + 60_000 });
  const early = Array.from({ length: 300 }, () => new Shopper(shop.base, saleId));
  for (const shopper of early) {
    const joined = await shopper.join();
    expect(joined.body).toMatchObject({ state: "prequeue", position: null });
  }
  // A refresh before the start keeps the same draw: joining again gives the same ticket.
  const again = await early[0]!.join();
  expect(again.status).toBe(201);

  await shop.deps.room.transition(saleId, "live");
  shop.deps.views.invalidate(saleId);
  const late = Array.from({ length: 50 }, () => new Shopper(shop.base, saleId));
  const latePlaces: number[] = [];
  for (const shopper of late) latePlaces.push(Number((await shopper.join()).body.position));
  expect(latePlaces).toEqual(Array.from({ length: 50 }, (_, i) => 301 + i));

  const earlyPlaces = await Promise.all(early.map(async (shopper) => Number((await shopper.status()).body.position)));
  expect([...earlyPlaces].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  // Arrival order before the start does not decide the place: the first 30 arrivals are
  // spread over the pre-queue rather than filling its front.
  const firstArrivalsInFront = earlyPlaces.slice(0, 30).filter((place) => place <= 30).length;
  expect(firstArrivalsInFront).toBeLessThan(12);
});

it("tells every waiting shopper at their next status call when the sale sells out", async () => {
  const saleId = await shop.createSale({ mode: "rate", perMinute: 60, items: { shoe: 2 } });
  const crowd = Array.from({ length: 20 }, () => new Shopper(shop.base, saleId));
  for (const shopper of crowd) await shopper.join();
  expect((await crowd[19]!.status()).body.state).toBe("waiting");
  await shop.deps.holds.take(saleId, { orderRef: "walk-in", lines: [{ itemId: "shoe", quantity: 2 }] });
  await shop.deps.room.admit(saleId);
  for (const shopper of crowd) expect((await shopper.status()).body.state).toBe("soldout");
});

it("tells a shopper whose pass lapsed unused that their turn has passed", async () => {
  const saleId = await shop.createSale({ mode: "rate", perMinute: 6_000, passMinutes: 1 });
  const ann = new Shopper(shop.base, saleId);
  await ann.join();
  await shop.admitThrough(saleId, 1);
  expect((await ann.status()).body.state).toBe("admitted");
  // Move the admission batch two minutes back, as if the shopper had walked away.
  const redis = connectTestRedis();
  const [batch] = await redis.zrange(saleRoomKeys(saleId).admissions, "0", "0");
  await redis.zadd(saleRoomKeys(saleId).admissions, Date.now() - 120_000, batch as string);
  await redis.quit();
  expect((await ann.status()).body).toMatchObject({ state: "expired", refreshAfter: null });
});

it("refuses a pass past its expiry", async () => {
  const clock = new ManualClock(Date.now());
  const timed = await startStorefront({ clock });
  try {
    const saleId = await timed.createSale({ mode: "capacity", maxActive: 10, passMinutes: 1 });
    const ann = new Shopper(timed.base, saleId);
    await ann.join();
    await timed.admitThrough(saleId, 1);
    const pass = String((await ann.status()).body.pass);
    clock.advance(61_000);
    expect(await ann.hold([{ itemId: "shoe", quantity: 1 }], { pass })).toMatchObject({ status: 403, body: { error: { code: "pass_invalid" } } });
    expect((await timed.deps.holds.snapshot(saleId))?.items.shoe?.held).toBe(0);
  } finally {
    await timed.close();
  }
});

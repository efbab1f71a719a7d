import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ManualClock } from "../../support/redis.ts";
import { RedisProxy } from "../../support/redisProxy.ts";
import { Shopper, startStorefront, type Storefront } from "../../support/storefront.ts";

// Issue #12, failure 3: one stock read that failed while Redis was away was kept and handed to
// every later request, so /stock answered 500 until a restart.

let proxy: RedisProxy;
let shop: Storefront;
let client: Redis;
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  proxy = await RedisProxy.start();
  shop = await startStorefront({
    clock,
    // Room views stay fresh for the whole test: only the stock read meets the outage.
    viewFreshMs: 3_600_000,
    // The outage is the point: its connection errors are expected, not news for the test log.
    redis: () => (client = new Redis(proxy.url, { maxRetriesPerRequest: 1 }).on("error", () => undefined)),
  });
});
afterAll(async () => {
  await shop?.close();
  await proxy?.close();
});

describe("GET /v1/sales/{id}/stock across a Redis outage", () => {
  it("answers again as soon as Redis is back: a failed read is not kept", async () => {
    const saleId = await shop.createSale({ items: { shoe: 7 } });
    const shopper = new Shopper(shop.base, saleId);
    const stock = () => shopper.request("GET", `/v1/sales/${saleId}/stock`);
    expect(await stock()).toMatchObject({ status: 200, body: { items: [{ itemId: "shoe", available: 7 }] } });

    clock.advance(1_500);
    proxy.cut();
    const during = await stock();
    expect(during.status).toBeGreaterThanOrEqual(500);

    proxy.restore();
    await expect.poll(async () => (await client.ping().catch(() => "down")) === "PONG", { timeout: 10_000 }).toBe(true);
    expect((await shopper.hold([{ itemId: "shoe", quantity: 2 }])).status).toBe(201);
    clock.advance(1_500);
    expect(await stock()).toMatchObject({ status: 200, body: { items: [{ itemId: "shoe", available: 5, held: 2 }] } });
  });
});

import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildApp, type App } from "../../app/composition/web.server.ts";
import { startWorker, type RunningWorker } from "../../app/composition/worker.server.ts";
import { CheckoutStore, orderIdForHold } from "../../app/core/checkout/index.ts";
import { silentLogger } from "../../app/core/logger.ts";
import { sessionBinding, signToken } from "../../app/core/tokens/index.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { freshDatabase, type TestDatabase } from "../db/databases.ts";
import { testRedisConfig } from "../support/redis.ts";
import { Shopper } from "../support/storefront.ts";

// Issue #12, failure 4: a crash between the checkout's two Redis calls (open the record, add
// the job) left the order `queued` with its hold extended to 30 minutes and nothing to pick it
// up; the shopper's retry then got 401 because the hold token had expired.

let database: TestDatabase;
let app: App;
let worker: RunningWorker;
let base: string;

beforeAll(async () => {
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  const env = { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"), HOLDFAST_QUEUE_NAMESPACE: `hf-orphans-${randomBytes(4).toString("hex")}` };
  app = buildApp({ redis: testRedisConfig(), databaseUrl: database.url, logger: silentLogger, env });
  worker = startWorker(app, silentLogger, { env });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  app?.server.closeAllConnections();
  await app?.close();
  await database?.drop();
});

async function liveSale(): Promise<{ saleId: string; itemId: string }> {
  const details = await app.sales.create({
    name: "Orphans",
    items: [{ title: "Tee", allocation: 10 }],
    holdMinutes: 10,
    perCustomerLimit: 0,
    admission: { mode: "off" },
  });
  await app.sales.start(details.sale.id);
  return { saleId: details.sale.id, itemId: details.sale.items[0]!.id };
}

/** The same hold's token, signed as the hold route signs it, but already expired. */
async function expiredToken(saleId: string, holdId: string, session: string): Promise<string> {
  const keyring = await app.storefront.keyrings.forStore(null);
  const now = Math.floor(Date.now() / 1_000);
  return signToken({ typ: "hold", s: saleId, h: holdId, sh: sessionBinding(session), iat: now - 600, exp: now - 5 }, keyring);
}

describe("a checkout opened but never enqueued", () => {
  it("is enqueued again by the worker within seconds and its order is placed", async () => {
    const { saleId, itemId } = await liveSale();
    const shopper = new Shopper(base, saleId);
    const hold = await shopper.hold([{ itemId, quantity: 2 }]);
    expect(hold.status).toBe(201);
    const holdId = String(hold.body.holdId);

    // The first of the route's two steps, alone: what a process killed between them leaves.
    const opened = await new CheckoutStore(app.redis).open({ saleId, holdId, storeId: null, payment: { method: "test" }, customer: null });
    expect(opened).toMatchObject({ outcome: "opened" });

    const orderId = orderIdForHold(holdId);
    await expect
      .poll(async () => (await shopper.request("GET", `/v1/orders/${orderId}`, { bearer: String(hold.body.token) })).body.status, {
        timeout: 20_000,
        interval: 250,
      })
      .toBe("placed");
    const stock = (await app.holds.snapshot(saleId))?.items[itemId];
    expect(stock).toMatchObject({ held: 0, sold: 2, available: 8 });
  }, 30_000);

  it("answers a retry with an expired hold token with the order, not 401", async () => {
    const { saleId, itemId } = await liveSale();
    const shopper = new Shopper(base, saleId);
    const hold = await shopper.hold([{ itemId, quantity: 1 }]);
    const holdId = String(hold.body.holdId);
    await new CheckoutStore(app.redis).open({ saleId, holdId, storeId: null, payment: { method: "test" }, customer: null });

    const retry = await shopper.request("POST", "/v1/checkout", {
      body: { holdToken: await expiredToken(saleId, holdId, shopper.session), payment: { method: "test" } },
    });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body).toMatchObject({ orderId: orderIdForHold(holdId), replayed: true });
    const orderToken = String(retry.body.orderToken);
    await expect
      .poll(async () => (await shopper.request("GET", `/v1/orders/${orderIdForHold(holdId)}`, { bearer: orderToken })).body.status, {
        timeout: 20_000,
        interval: 250,
      })
      .toBe("placed");
  }, 30_000);

  it("still refuses an expired hold token that opened nothing, and opens nothing with it", async () => {
    const { saleId, itemId } = await liveSale();
    const shopper = new Shopper(base, saleId);
    const hold = await shopper.hold([{ itemId, quantity: 1 }]);
    const holdId = String(hold.body.holdId);
    const answer = await shopper.request("POST", "/v1/checkout", {
      body: { holdToken: await expiredToken(saleId, holdId, shopper.session), payment: { method: "test" } },
    });
    expect(answer).toMatchObject({ status: 401, body: { error: { code: "hold_token_invalid" } } });
    expect(await new CheckoutStore(app.redis).get(saleId, orderIdForHold(holdId))).toBeNull();
    // A customer name that SQL could not store is refused up front.
    const broken = await shopper.request("POST", "/v1/checkout", {
      body: { holdToken: hold.body.token, payment: { method: "test" }, customer: { name: "Ann \ud800" } },
    });
    expect(broken).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    expect(await new CheckoutStore(app.redis).get(saleId, orderIdForHold(holdId))).toBeNull();
  });
});

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { CheckoutDeps } from "../../app/api/storefront/checkoutDeps.ts";
import { storefrontRoutes } from "../../app/api/storefront/routes.ts";
import { CheckoutStore, orderIdForHold, salePricing, unitPricing } from "../../app/core/checkout/index.ts";
import { silentLogger } from "../../app/core/logger.ts";
import { QUEUE_NAMES } from "../../app/core/queues/index.ts";
import { sessionBinding, signToken, type Keyring } from "../../app/core/tokens/index.ts";
import { PrismaSaleRepository } from "../../app/db/PrismaSaleRepository.ts";
import { TestPaymentProvider } from "../../app/platforms/payments/index.ts";
import { createHttpServer } from "../../app/server.ts";
import { CheckoutHarness, UNIT_PRICE } from "../core/checkout/harness.ts";
import { startStorefront, type Storefront } from "../support/storefront.ts";

/** POST /v1/checkout and GET /v1/orders/{id} on a real server, with the real checkout worker behind them. */
let sf: Storefront;
let h: CheckoutHarness;
let server: Server;
let base: string;
let keyring: Keyring;
let worker: ReturnType<CheckoutHarness["startWorker"]>;

beforeAll(async () => {
  sf = await startStorefront();
  h = await CheckoutHarness.create("coapi");
  const deps: CheckoutDeps = {
    views: sf.deps.views,
    keyrings: sf.deps.keyrings,
    clock: sf.deps.clock,
    checkouts: h.store,
    queue: h.queue,
    payments: new TestPaymentProvider(h.redis),
    orders: h.repository,
  };
  server = createHttpServer({ readiness: [], routes: storefrontRoutes(sf.deps, deps), logger: silentLogger });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  keyring = await sf.deps.keyrings.forStore(null);
  // Priced as the worker process prices: the sale's own prices, the unit price for unpriced sales.
  worker = h.startWorker({ processor: h.processor({ pricing: salePricing(new PrismaSaleRepository(h.db), unitPricing(UNIT_PRICE, "EUR")) }) });
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await h?.close();
  await sf?.close();
});

/** A live sale in Redis (standalone store) with its SQL row, where the worker writes orders. */
async function newSale(allocation = 100): Promise<string> {
  const saleId = await sf.createSale({ items: { shoe: allocation } });
  await h.db.sale.create({ data: { id: saleId, storeId: null, name: "api", state: "live", holdMinutes: 10, perCustomerLimit: 0, bypassPolicy: "flag" } });
  return saleId;
}

/** A hold and its token, as POST /v1/sales/{id}/holds would answer them. */
async function hold(
  saleId: string,
  options: { quantity?: number; exp?: number; keys?: Keyring; itemId?: string } = {},
): Promise<{ holdId: string; token: string }> {
  const session = randomBytes(18).toString("base64url");
  const result = await sf.deps.holds.reserve(saleId, {
    lines: [{ itemId: options.itemId ?? "shoe", quantity: options.quantity ?? 1 }],
    customerId: `session:${sessionBinding(session)}`,
    requestId: randomBytes(8).toString("hex"),
    ttlMs: 600_000,
  });
  if (result.outcome !== "reserved") throw new Error(result.outcome);
  const iat = Math.floor(Date.now() / 1_000);
  const claims = { typ: "hold", s: saleId, h: result.holdId, sh: sessionBinding(session), iat, exp: options.exp ?? Math.ceil(result.expiresAt / 1_000) };
  return { holdId: result.holdId, token: signToken(claims, options.keys ?? keyring) };
}

async function call(method: string, path: string, init: { body?: unknown; raw?: string; bearer?: string; type?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.body !== undefined || init.raw !== undefined) headers["content-type"] = init.type ?? "application/json";
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

/** Polls until the worker has placed or failed the order; the deadline only bounds a broken run (a backlog may be ahead of it). */
async function settled(orderId: string, token: string) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const answer = await call("GET", `/v1/orders/${orderId}`, { bearer: token });
    if (answer.body.status === "placed" || answer.body.status === "failed") return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`order ${orderId} did not settle`);
}

describe("POST /v1/checkout", () => {
  it("queues the order (202) and the worker places it: GET /v1/orders shows queued/processing, then placed", async () => {
    const saleId = await newSale();
    const { holdId, token } = await hold(saleId, { quantity: 2 });
    const answer = await call("POST", "/v1/checkout", { body: { holdToken: token, payment: { method: "test" }, customer: { email: "a@example.com" } } });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ orderId: orderIdForHold(holdId), status: "queued", replayed: false });
    const orderToken = String(answer.body.orderToken);

    const done = await settled(String(answer.body.orderId), orderToken);
    expect(done).toEqual({ status: 200, body: { orderId: orderIdForHold(holdId), status: "placed" } });
    // The hold token reads the same order.
    expect((await call("GET", `/v1/orders/${orderIdForHold(holdId)}`, { bearer: token })).body.status).toBe("placed");
    expect((await sf.deps.holds.snapshot(saleId))?.items.shoe).toEqual({ allocated: 100, available: 98, held: 0, sold: 2 });
    expect(await h.db.order.findUnique({ where: { id: orderIdForHold(holdId) } })).toMatchObject({ status: "placed", holdId, customerRef: "a@example.com" });
  });

  it("charges the item's own price times the quantity; a sale without prices is charged the fallback unit price", async () => {
    const itemId = `tee-${randomBytes(6).toString("hex")}`;
    const priced = await sf.createSale({ items: { [itemId]: 10 } });
    await h.db.sale.create({
      data: {
        id: priced,
        storeId: null,
        name: "priced",
        state: "live",
        holdMinutes: 10,
        perCustomerLimit: 0,
        bypassPolicy: "flag",
        items: { create: [{ id: itemId, title: "Tee", allocation: 10, position: 0, priceMinor: 1_999, currency: "EUR" }] },
      },
    });
    const unpriced = await newSale();
    const charged = async (saleId: string, item: string) => {
      const { token } = await hold(saleId, { quantity: 3, itemId: item });
      const answer = await call("POST", "/v1/checkout", { body: { holdToken: token, payment: { method: "test" } } });
      expect((await settled(String(answer.body.orderId), String(answer.body.orderToken))).body.status).toBe("placed");
      return (JSON.parse((await h.redis.get(TestPaymentProvider.key(String(answer.body.orderId)))) ?? "{}") as { amount?: unknown }).amount;
    };
    expect(await charged(priced, itemId)).toEqual({ amountMinor: 3 * 1_999, currency: "EUR" });
    expect(await charged(unpriced, "shoe")).toEqual({ amountMinor: 3 * UNIT_PRICE, currency: "EUR" });
  });

  it("the same hold twice is the same order: 200 with the current status, one job", async () => {
    const saleId = await newSale();
    const { token } = await hold(saleId);
    const first = await call("POST", "/v1/checkout", { body: { holdToken: token, payment: { method: "test" } } });
    const second = await call("POST", "/v1/checkout", { body: { holdToken: token, payment: { method: "test", outcome: "decline" } } });
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ orderId: first.body.orderId, replayed: true });
    expect(["queued", "processing", "placed"]).toContain(second.body.status);
    expect((await settled(String(first.body.orderId), String(first.body.orderToken))).body.status).toBe("placed");
    const jobs = await h.queues.queue(QUEUE_NAMES.checkout).getJobs(["completed", "waiting", "active", "delayed", "failed"]);
    expect(jobs.filter((job) => job.id === first.body.orderId)).toHaveLength(1);
  });

  it("a declined payment: the order fails with a code the storefront can show, and the units go back", async () => {
    const saleId = await newSale();
    const { token } = await hold(saleId);
    const answer = await call("POST", "/v1/checkout", { body: { holdToken: token, payment: { method: "test", outcome: "decline" } } });
    expect(answer.status).toBe(202);
    const done = await settled(String(answer.body.orderId), String(answer.body.orderToken));
    expect(done.body).toEqual({ orderId: answer.body.orderId, status: "failed", error: { code: "payment_declined", message: expect.any(String) } });
    expect((await sf.deps.holds.snapshot(saleId))?.items.shoe).toEqual({ allocated: 100, available: 100, held: 0, sold: 0 });
  });

  it("refuses bad input with a code and changes nothing", async () => {
    const saleId = await newSale();
    const live = await hold(saleId);
    const released = await hold(saleId);
    await sf.deps.holds.release(saleId, released.holdId);
    const committed = await hold(saleId);
    await sf.deps.holds.commit(saleId, committed.holdId, "elsewhere-1");
    const expired = await hold(saleId, { exp: Math.floor(Date.now() / 1_000) - 10 });
    const forged = await hold(saleId, { keys: { current: { kid: keyring.current.kid, secret: randomBytes(32) }, previous: [] } });
    const ticket = signToken({ typ: "ticket", s: saleId, sh: "x", k: "q", n: 1, iat: Math.floor(Date.now() / 1_000) }, keyring);
    const payment = { method: "test" };
    const cases: [string, Parameters<typeof call>[2], number, string][] = [
      ["wrong media type", { raw: "holdToken=x", type: "application/x-www-form-urlencoded" }, 415, "unsupported_media_type"],
      ["malformed JSON", { raw: "{holdToken:" }, 400, "invalid_json"],
      ["token of the wrong type", { body: { holdToken: 42, payment } }, 400, "invalid_request"],
      ["no payment", { body: { holdToken: live.token } }, 400, "invalid_request"],
      ["payment not an object", { body: { holdToken: live.token, payment: "card" } }, 400, "invalid_request"],
      ["unknown field", { body: { holdToken: live.token, payment, amount: 1 } }, 400, "invalid_request"],
      ["bad customer email", { body: { holdToken: live.token, payment, customer: { email: "nope" } } }, 400, "invalid_request"],
      ["oversized body", { body: { holdToken: live.token, payment: { method: "test", pad: "x".repeat(9_000) } } }, 413, "body_too_large"],
      ["payment the provider cannot take", { body: { holdToken: live.token, payment: { method: "card" } } }, 400, "invalid_payment"],
      ["unknown outcome", { body: { holdToken: live.token, payment: { method: "test", outcome: "maybe" } } }, 400, "invalid_payment"],
      ["garbage token", { body: { holdToken: "not-a-token", payment } }, 401, "hold_token_invalid"],
      ["forged token", { body: { holdToken: forged.token, payment } }, 401, "hold_token_invalid"],
      ["expired token", { body: { holdToken: expired.token, payment } }, 401, "hold_token_invalid"],
      ["a ticket instead of a hold token", { body: { holdToken: ticket, payment } }, 401, "hold_token_invalid"],
      ["released hold", { body: { holdToken: released.token, payment } }, 409, "hold_not_active"],
      ["hold already sold", { body: { holdToken: committed.token, payment } }, 409, "hold_not_active"],
    ];
    const before = await sf.deps.holds.snapshot(saleId);
    const jobsBefore = await h.checkoutQueue.count();
    for (const [what, init, status, code] of cases) {
      const answer = await call("POST", "/v1/checkout", init);
      expect({ what, status: answer.status, code: (answer.body?.error as { code?: string } | undefined)?.code }).toEqual({ what, status, code });
    }
    expect(await sf.deps.holds.snapshot(saleId)).toEqual(before);
    expect(await h.checkoutQueue.count()).toBe(jobsBefore);
    for (const { holdId } of [live, released, committed, expired, forged]) {
      expect(await h.redis.exists(CheckoutStore.key(saleId, orderIdForHold(holdId)))).toBe(0);
    }
  });

  // The answer never waits for the payment or the order write: with the worker stopped, every
  // checkout is still answered (queued) at once. How fast that is belongs to a benchmark
  // (npm run bench:orders), not to a test on a shared machine.
  it("answers without waiting for the worker: 300 checkouts queued while it is paused, all placed once it resumes", async () => {
    const saleId = await newSale(1_000);
    const tokens: string[] = [];
    for (let i = 0; i < 300; i++) tokens.push((await hold(saleId)).token);
    await worker.worker.pause();
    const orders: { orderId: string; orderToken: string }[] = [];
    try {
      for (const token of tokens) {
        const answer = await call("POST", "/v1/checkout", { body: { holdToken: token, payment: { method: "test" } } });
        expect(answer).toMatchObject({ status: 202, body: { status: "queued" } });
        orders.push({ orderId: String(answer.body.orderId), orderToken: String(answer.body.orderToken) });
      }
      expect((await sf.deps.holds.snapshot(saleId))?.items.shoe).toMatchObject({ held: 300, sold: 0 });
    } finally {
      worker.worker.resume();
    }
    for (const order of orders) expect((await settled(order.orderId, order.orderToken)).body.status).toBe("placed");
    expect((await sf.deps.holds.snapshot(saleId))?.items.shoe).toMatchObject({ held: 0, sold: 300 });
  }, 300_000);
});

describe("GET /v1/orders/{orderId}", () => {
  it("needs the order's own token; answers from SQL once Redis has let the record go", async () => {
    const saleId = await newSale();
    const mine = await hold(saleId);
    const theirs = await hold(saleId);
    const placed = await call("POST", "/v1/checkout", { body: { holdToken: mine.token, payment: { method: "test" } } });
    const other = await call("POST", "/v1/checkout", { body: { holdToken: theirs.token, payment: { method: "test" } } });
    const orderId = String(placed.body.orderId);
    await settled(orderId, String(placed.body.orderToken));

    expect(await call("GET", `/v1/orders/${orderId}`)).toMatchObject({ status: 401, body: { error: { code: "order_token_required" } } });
    expect(await call("GET", `/v1/orders/${orderId}`, { bearer: String(other.body.orderToken) })).toMatchObject({
      status: 403,
      body: { error: { code: "order_token_mismatch" } },
    });
    expect(await call("GET", `/v1/orders/${orderId}`, { bearer: theirs.token })).toMatchObject({
      status: 403,
      body: { error: { code: "order_token_mismatch" } },
    });
    expect(await call("GET", `/v1/orders/${orderId}`, { bearer: "abc.def.ghi" })).toMatchObject({
      status: 401,
      body: { error: { code: "order_token_invalid" } },
    });
    expect(await call("GET", "/v1/orders/12345", { bearer: String(placed.body.orderToken) })).toMatchObject({
      status: 404,
      body: { error: { code: "order_not_found" } },
    });

    await h.redis.del(CheckoutStore.key(saleId, orderId));
    expect(await call("GET", `/v1/orders/${orderId}`, { bearer: String(placed.body.orderToken) })).toEqual({
      status: 200,
      body: { orderId, status: "placed" },
    });
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { PlatformError } from "../../../app/core/platform/index.ts";
import { customSignatureHeaders, CustomStorePlatform, type CustomStoreOptions, type StockUpdatedEvent } from "../../../app/platforms/custom/index.ts";
import { startCustomStore, type CustomStoreStandIn } from "../../support/customStore/index.ts";

const secret = "whsec_merchant_secret";

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof PlatformError)) throw new Error(`expected a PlatformError, got ${String(error)}`);
  return error;
}

describe("CustomStorePlatform against a merchant endpoint", () => {
  let store: CustomStoreStandIn;

  beforeAll(async () => {
    store = await startCustomStore({ secret, stock: { "sku-a": 5, "sku-b": 0 } });
  });
  afterAll(async () => {
    await store.close();
  });
  afterEach(() => {
    store.deliveries.length = 0;
  });

  function platform(options: Partial<CustomStoreOptions> = {}): CustomStorePlatform {
    return new CustomStorePlatform({ endpoint: store.endpoint, secret, timeoutMs: 2_000, ...options });
  }

  it("posts signed stock.updated events with absolute quantities and a stable Idempotency-Key", async () => {
    await platform().writeStock(
      [
        { ref: "sku-a", available: 3, previous: 5 },
        { ref: "sku-b", available: 7 },
      ],
      "wb-1",
    );
    expect(store.stock.get("sku-a")).toBe(3);
    expect(store.stock.get("sku-b")).toBe(7);
    expect(store.deliveries).toEqual([
      { method: "POST", path: "/holdfast/events", idempotencyKey: "stock:wb-1", signature: true, status: 200, replayed: false },
    ]);
    const event = store.events.at(-1) as StockUpdatedEvent;
    expect(event).toMatchObject({
      id: "stock:wb-1",
      type: "stock.updated",
      data: {
        items: [
          { ref: "sku-a", available: 3, previous: 5 },
          { ref: "sku-b", available: 7 },
        ],
      },
    });
  });

  it("splits a large write into events of maxBatch items, each with its own key", async () => {
    const writes = Array.from({ length: 250 }, (_, index) => ({ ref: `bulk-${index}`, available: index }));
    await platform().writeStock(writes, "wb-bulk");
    expect(store.deliveries.map((delivery) => delivery.idempotencyKey)).toEqual(["stock:wb-bulk:1/3", "stock:wb-bulk:2/3", "stock:wb-bulk:3/3"]);
    expect(store.stock.get("bulk-249")).toBe(249);
  });

  it("reads stock with a signed GET, leaving out refs the store does not know", async () => {
    store.stock.set("sku-read", 11);
    expect(await platform().readStock(["sku-read", "sku-unknown", "sku-read"])).toEqual([{ ref: "sku-read", available: 11 }]);
    expect(store.deliveries[0]).toMatchObject({ method: "GET", path: "/holdfast/events/stock", signature: true, status: 200 });
  });

  it("creates an order once even when the answer is lost and the call retried", async () => {
    const order = {
      orderId: "ord-custom-1",
      lines: [{ ref: "sku-a", quantity: 1 }],
      customer: { email: "ada@example.com" },
      reserveUntil: new Date(Date.UTC(2026, 10, 28, 12, 10)),
    };
    const before = store.orders.size;
    store.fail({ loseAnswer: true });
    expect((await failure(platform().createOrder(order))).kind).toBe("unavailable");
    const created = await platform().createOrder(order);
    expect(store.orders.size).toBe(before + 1);
    expect(created.platformOrderRef).toMatch(/^co_\d+$/);
    expect(created.paymentUrl).toContain(`/pay/${created.platformOrderRef}`);
    expect(store.deliveries.map((delivery) => [delivery.idempotencyKey, delivery.replayed])).toEqual([
      ["order.create:ord-custom-1", false],
      ["order.create:ord-custom-1", true],
    ]);
    expect(store.orders.get(created.platformOrderRef)?.orderId).toBe("ord-custom-1");
  });

  it("cancels an order; an unknown order is not_found", async () => {
    const { platformOrderRef } = await platform().createOrder({ orderId: "ord-custom-2", lines: [{ ref: "sku-a", quantity: 1 }], customer: null });
    await platform().cancelOrder(platformOrderRef, "payment failed");
    expect(store.orders.get(platformOrderRef)).toMatchObject({ status: "cancelled", cancelReason: "payment failed" });
    const missing = await failure(platform().cancelOrder("co_999", "x"));
    expect(missing.kind).toBe("not_found");
    expect(missing.details).toEqual({ status: 404, code: "order_not_found" });
  });

  describe("signatures the merchant refuses", () => {
    it("a wrong secret is unauthorized", async () => {
      const error = await failure(platform({ secret: "whsec_wrong" }).writeStock([{ ref: "sku-a", available: 1 }], "wb-wrong"));
      expect(error.kind).toBe("unauthorized");
      expect(error.details).toEqual({ status: 401, code: "bad_signature" });
      expect(store.stock.get("sku-a")).not.toBe(1);
    });

    it("a clock more than 5 minutes off is unauthorized (stale timestamp)", async () => {
      const behind = { now: () => Date.now() - 6 * 60_000 };
      const error = await failure(platform({ clock: behind }).readStock(["sku-a"]));
      expect(error.details).toEqual({ status: 401, code: "stale_timestamp" });
    });

    it("a tampered body is refused even with a valid signature of another body", async () => {
      const signed = JSON.stringify({
        id: "stock:t",
        type: "stock.updated",
        createdAt: new Date().toISOString(),
        data: { items: [{ ref: "sku-a", available: 1 }] },
      });
      const tampered = signed.replace('"available":1', '"available":1000');
      const response = await fetch(store.endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": "stock:t", ...customSignatureHeaders(secret, signed, Date.now()) },
        body: tampered,
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: "bad_signature", message: "Signature check failed." } });
      expect(store.stock.get("sku-a")).not.toBe(1000);
    });

    it("an unsigned request is refused", async () => {
      const response = await fetch(`${store.endpoint}/stock?refs=sku-a`);
      expect(response.status).toBe(401);
    });
  });

  describe("error mapping", () => {
    it("5xx, a timeout and a refused connection are unavailable", async () => {
      store.fail({ status: 502, code: "bad_gateway" });
      const bad = await failure(platform().readStock(["sku-a"]));
      expect(bad.kind).toBe("unavailable");
      expect(bad.details).toEqual({ status: 502, code: "bad_gateway" });

      store.fail({ stallMs: 2_000 });
      const timeout = await failure(platform({ timeoutMs: 150 }).readStock(["sku-a"]));
      expect(timeout.details.code).toBe("holdfast_timeout");

      const gone = await startCustomStore({ secret });
      const endpoint = gone.endpoint;
      await gone.close();
      const refused = await failure(new CustomStorePlatform({ endpoint, secret }).readStock(["sku-a"]));
      expect(refused.kind).toBe("unavailable");
      expect(refused.details.code).toBe("ECONNREFUSED");
    });

    it("429 is throttled with Retry-After, 409 is a conflict, other 4xx are rejected", async () => {
      store.fail({ status: 429, retryAfter: "3" });
      expect((await failure(platform().writeStock([{ ref: "sku-a", available: 2 }], "wb-429"))).details).toEqual({
        status: 429,
        code: "injected",
        retryAfterMs: 3_000,
      });

      store.fail({ status: 409, code: "stock_changed" });
      const conflict = await failure(platform().writeStock([{ ref: "sku-a", available: 2, previous: 99 }], "wb-409"));
      expect(conflict.kind).toBe("conflict");
      expect(conflict.retryable).toBe(true);

      const unknown = await failure(platform().createOrder({ orderId: "ord-unknown-ref", lines: [{ ref: "sku-nope", quantity: 1 }], customer: null }));
      expect(unknown.kind).toBe("rejected");
      expect(unknown.details).toEqual({ status: 422, code: "unknown_ref" });
    });

    it("a 2xx order answer without a reference is rejected", async () => {
      const fetchStub: typeof fetch = async () => new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
      const error = await failure(platform({ fetch: fetchStub }).createOrder({ orderId: "o", lines: [{ ref: "sku-a", quantity: 1 }], customer: null }));
      expect(error.details.code).toBe("holdfast_invalid_response");
    });
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { PlatformError } from "../../../app/core/platform/index.ts";
import {
  HOLDFAST_CANCEL_REASON_META,
  HOLDFAST_ORDER_META,
  WooBatchItemsError,
  WooCommercePlatform,
  type WooCommerceOptions,
} from "../../../app/platforms/woocommerce/index.ts";
import { startWooStandIn, type WooStandIn } from "../../support/woocommerce/index.ts";

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof PlatformError)) throw new Error(`expected a PlatformError, got ${String(error)}`);
  return error;
}

describe("WooCommercePlatform against the WooCommerce stand-in", () => {
  let wc: WooStandIn;

  beforeAll(async () => {
    wc = await startWooStandIn();
  });
  afterAll(async () => {
    await wc.close();
  });
  afterEach(() => {
    wc.clearFaults();
    wc.resetCalls();
  });

  function platform(options: Partial<WooCommerceOptions> = {}): WooCommercePlatform {
    return new WooCommercePlatform({ url: wc.url, consumerKey: wc.consumerKey, consumerSecret: wc.consumerSecret, timeoutMs: 2_000, ...options });
  }

  describe("stock", () => {
    it("splits a 250-item write into batches of at most 100: 3 calls, none refused", async () => {
      const ids = Array.from({ length: 250 }, () => wc.addProduct({ stock: 0 }));
      await platform().writeStock(
        ids.map((id, index) => ({ ref: String(id), available: index })),
        "wb-250",
      );
      const batches = wc.callsTo("POST", /^\/products\/batch$/);
      expect(batches.map((call) => call.batchItems)).toEqual([100, 100, 50]);
      expect(batches.every((call) => call.status === 200)).toBe(true);
      expect(ids.map((id) => wc.stockOf(String(id)))).toEqual(ids.map((_, index) => index));
    });

    it("honours a smaller configured batch size", async () => {
      const ids = Array.from({ length: 95 }, () => wc.addProduct());
      const small = platform({ batchSize: 40 });
      expect(small.maxBatch).toBe(40);
      await small.writeStock(
        ids.map((id) => ({ ref: String(id), available: 3 })),
        "wb-small",
      );
      expect(wc.callsTo("POST", /^\/products\/batch$/).map((call) => call.batchItems)).toEqual([40, 40, 15]);
    });

    it("writes variations through their parent's batch endpoint, and turns stock management on", async () => {
      const a = wc.addVariableProduct([{ stock: 1 }, { stock: 1 }]);
      const b = wc.addVariableProduct([{ manageStock: false }]);
      const simple = wc.addProduct({ manageStock: false });
      const refs = [`${a.productId}:${a.variationIds[0]}`, `${a.productId}:${a.variationIds[1]}`, `${b.productId}:${b.variationIds[0]}`, String(simple)];
      await platform().writeStock(
        refs.map((ref, index) => ({ ref, available: 10 + index })),
        "wb-var",
      );

      expect(refs.map((ref) => wc.stockOf(ref))).toEqual([10, 11, 12, 13]);
      expect(wc.calls.map((call) => `${call.method} ${call.route} ${call.batchItems}`).sort()).toEqual(
        [`POST /products/${a.productId}/variations/batch 2`, `POST /products/${b.productId}/variations/batch 1`, "POST /products/batch 1"].sort(),
      );
    });

    it("sends one write per ref: the last one wins", async () => {
      const id = wc.addProduct();
      await platform().writeStock(
        [
          { ref: String(id), available: 1 },
          { ref: String(id), available: 2 },
        ],
        "wb-dup",
      );
      expect(wc.stockOf(String(id))).toBe(2);
      expect(wc.callsTo("POST", /batch/)[0]?.batchItems).toBe(1);
    });

    it("reads products and variations in list calls, leaving out what is gone or untracked", async () => {
      const tracked = wc.addProduct({ stock: 4 });
      const untracked = wc.addProduct({ manageStock: false });
      const { productId, variationIds } = wc.addVariableProduct([{ stock: 6 }, { manageStock: false }], { manageStock: true, stock: 9 });
      const refs = [String(tracked), String(untracked), "987654", `${productId}:${variationIds[0]}`, `${productId}:${variationIds[1]}`, "987655:1"];

      const levels = await platform().readStock(refs);
      expect(levels).toEqual(
        [
          { ref: String(tracked), available: 4 },
          // Managed at the parent: the variation sells from the parent's quantity.
          { ref: `${productId}:${variationIds[1]}`, available: 9 },
          { ref: `${productId}:${variationIds[0]}`, available: 6 },
        ].sort((x, y) => refs.indexOf(x.ref) - refs.indexOf(y.ref)),
      );
      expect(wc.calls.map((call) => `${call.method} ${call.route}`)).toEqual([
        "GET /products",
        `GET /products/${productId}/variations`,
        "GET /products/987655/variations",
      ]);
      expect(wc.calls[0]?.query).toMatchObject({ per_page: "100" });
    });

    it("reads more than 100 products in pages of 100 ids", async () => {
      const ids = Array.from({ length: 150 }, () => wc.addProduct({ stock: 2 }));
      const levels = await platform().readStock(ids.map(String));
      expect(levels).toHaveLength(150);
      expect(wc.callsTo("GET", /^\/products$/).map((call) => call.query.include?.split(",").length)).toEqual([100, 50]);
    });

    it("applies what it can and names the refs a batch refused", async () => {
      const good = wc.addProduct({ stock: 1 });
      const { productId, variationIds } = wc.addVariableProduct([{ stock: 1 }]);
      const error = await failure(
        platform().writeStock(
          [
            { ref: String(good), available: 5 },
            { ref: "999001", available: 5 },
            { ref: `${productId}:${variationIds[0]}`, available: 5 },
            { ref: `${productId}:999002`, available: 5 },
          ],
          "wb-partial",
        ),
      );
      expect(error).toBeInstanceOf(WooBatchItemsError);
      expect(error.kind).toBe("not_found");
      expect(error.details.code).toBe("woocommerce_rest_product_invalid_id");
      expect((error as WooBatchItemsError).failures.map((failure) => [failure.ref, failure.code])).toEqual([
        ["999001", "woocommerce_rest_product_invalid_id"],
        [`${productId}:999002`, "woocommerce_rest_product_variation_invalid_id"],
      ]);
      expect(wc.stockOf(String(good))).toBe(5);
      expect(wc.stockOf(`${productId}:${variationIds[0]}`)).toBe(5);
    });

    it("refuses malformed refs and quantities before calling WooCommerce", async () => {
      expect((await failure(platform().readStock(["abc"]))).details.code).toBe("holdfast_invalid_ref");
      expect((await failure(platform().writeStock([{ ref: "12:0", available: 1 }], "k"))).kind).toBe("rejected");
      expect((await failure(platform().writeStock([{ ref: "12", available: 1.5 }], "k"))).details.code).toBe("holdfast_invalid_quantity");
      expect(wc.calls).toHaveLength(0);
    });
  });

  describe("credentials", () => {
    it("maps a wrong secret, an unknown key and a read-only key to unauthorized", async () => {
      const id = String(wc.addProduct());
      const wrongSecret = await failure(platform({ consumerSecret: "cs_wrong" }).readStock([id]));
      expect(wrongSecret.kind).toBe("unauthorized");
      expect(wrongSecret.details).toMatchObject({ status: 401, code: "woocommerce_rest_authentication_error" });

      const unknownKey = await failure(platform({ consumerKey: "ck_unknown" }).readStock([id]));
      expect(unknownKey.kind).toBe("unauthorized");
      expect(unknownKey.retryable).toBe(false);

      const readOnly = await startWooStandIn({ keys: [{ consumerKey: "ck_ro", consumerSecret: "cs_ro", permissions: "read" }] });
      try {
        const ro = new WooCommercePlatform({ url: readOnly.url, consumerKey: "ck_ro", consumerSecret: "cs_ro" });
        const productId = String(readOnly.addProduct({ stock: 3 }));
        expect(await ro.readStock([productId])).toEqual([{ ref: productId, available: 3 }]);
        const error = await failure(ro.writeStock([{ ref: productId, available: 1 }], "k"));
        expect(error.kind).toBe("unauthorized");
        expect(error.message).toContain("does not have write permissions");
      } finally {
        await readOnly.close();
      }
    });

    it("is unauthorized when the site signs another home URL than the one configured", async () => {
      const other = await startWooStandIn({ homeUrl: (url) => url.replace("127.0.0.1", "localhost") });
      try {
        const client = new WooCommercePlatform({ url: other.url, consumerKey: other.consumerKey, consumerSecret: other.consumerSecret });
        expect((await failure(client.readStock([String(other.addProduct())]))).kind).toBe("unauthorized");
      } finally {
        await other.close();
      }
    });
  });

  describe("error mapping", () => {
    it("5xx, an HTML error page, a timeout and a refused connection are unavailable", async () => {
      const id = String(wc.addProduct());
      wc.fail({ status: 503, code: "maintenance" });
      const unavailable = await failure(platform().readStock([id]));
      expect(unavailable.kind).toBe("unavailable");
      expect(unavailable.retryable).toBe(true);
      expect(unavailable.details).toEqual({ status: 503, code: "maintenance" });

      wc.fail({ status: 500, html: true });
      expect((await failure(platform().readStock([id]))).details).toEqual({ status: 500, code: "http_500" });

      // Our deadline, not the stalled answer, ends the call: the failure is the timeout's.
      wc.fail({ stallMs: 2_000 });
      const timeout = await failure(platform({ timeoutMs: 150 }).readStock([id]));
      expect(timeout.kind).toBe("unavailable");
      expect(timeout.details.code).toBe("holdfast_timeout");

      const closed = await startWooStandIn();
      const url = closed.url;
      await closed.close();
      const refused = await failure(new WooCommercePlatform({ url, consumerKey: "ck", consumerSecret: "cs" }).readStock([id]));
      expect(refused.kind).toBe("unavailable");
      expect(refused.details.code).toBe("ECONNREFUSED");
    });

    it("429 is throttled, with Retry-After in seconds or as a date", async () => {
      const id = String(wc.addProduct());
      wc.fail({ status: 429, code: "too_many_requests", retryAfter: "7" });
      const seconds = await failure(platform().readStock([id]));
      expect(seconds.kind).toBe("throttled");
      expect(seconds.details).toEqual({ status: 429, code: "too_many_requests", retryAfterMs: 7_000 });

      const now = Date.UTC(2026, 10, 28, 12);
      wc.fail({ status: 429, retryAfter: new Date(now + 30_000).toUTCString() });
      const dated = await failure(platform({ clock: { now: () => now } }).readStock([id]));
      expect(dated.details.retryAfterMs).toBe(30_000);

      wc.fail({ status: 429 });
      expect((await failure(platform().readStock([id]))).details.retryAfterMs).toBe(1_000);
    });

    it("a wrong API base is rejected (rest_no_route), not 'not found'", async () => {
      const error = await failure(platform({ url: `${wc.url}/shop` }).readStock([String(wc.addProduct())]));
      expect(error.kind).toBe("rejected");
      expect(error.details).toEqual({ status: 404, code: "rest_no_route" });
    });

    it("a 413 from the store is rejected with WooCommerce's code", async () => {
      wc.fail({ status: 413, code: "woocommerce_rest_request_entity_too_large" }, { route: /batch/ });
      const error = await failure(platform().writeStock([{ ref: String(wc.addProduct()), available: 1 }], "k"));
      expect(error.kind).toBe("rejected");
      expect(error.details).toEqual({ status: 413, code: "woocommerce_rest_request_entity_too_large" });
    });

    it("a refused field is rejected, an unknown order is not_found", async () => {
      const id = String(wc.addProduct({ stock: 5 }));
      const badEmail = await failure(
        platform().createOrder({ orderId: "ord-bad-email", lines: [{ ref: id, quantity: 1 }], customer: { email: "not-an-email" } }),
      );
      expect(badEmail.kind).toBe("rejected");
      expect(badEmail.details).toEqual({ status: 400, code: "customer_invalid_billing_email" });

      const missing = await failure(platform().cancelOrder("777777", "test"));
      expect(missing.kind).toBe("not_found");
      expect(missing.details).toEqual({ status: 400, code: "woocommerce_rest_shop_order_invalid_id" });
    });
  });

  describe("orders", () => {
    it("creates a pending, unpaid order with our id in its meta and the lines by product and variation", async () => {
      const simple = wc.addProduct({ stock: 5 });
      const { productId, variationIds } = wc.addVariableProduct([{ stock: 5 }]);
      const created = await platform().createOrder({
        orderId: "ord-create-1",
        lines: [
          { ref: String(simple), quantity: 2 },
          { ref: `${productId}:${variationIds[0]}`, quantity: 1 },
        ],
        customer: { email: "ada@example.com", name: "Ada King Lovelace" },
      });
      const order = wc.orders.get(Number(created.platformOrderRef));
      expect(order?.status).toBe("pending");
      expect(order?.billing).toEqual({ email: "ada@example.com", first_name: "Ada", last_name: "King Lovelace" });
      expect(order?.meta.map(({ key, value }) => [key, value])).toEqual([[HOLDFAST_ORDER_META, "ord-create-1"]]);
      expect(order?.lineItems.map((line) => [line.productId, line.variationId, line.quantity])).toEqual([
        [simple, 0, 2],
        [productId, variationIds[0], 1],
      ]);
      expect(created.paymentUrl).toContain(`/checkout/order-pay/${created.platformOrderRef}/`);
    });

    it("is harmless when retried after the answer to the create was lost", async () => {
      const id = String(wc.addProduct({ stock: 5 }));
      const before = wc.orders.size;
      const order = { orderId: "ord-lost-answer", lines: [{ ref: id, quantity: 1 }], customer: { email: "lost@example.com" } };
      wc.fail({ loseAnswer: true }, { method: "POST", route: /^\/orders$/ });

      const first = await failure(platform().createOrder(order));
      expect(first.kind).toBe("unavailable");
      expect(wc.orders.size).toBe(before + 1);

      const retried = await platform().createOrder(order);
      const again = await platform().createOrder(order);
      expect(wc.orders.size).toBe(before + 1);
      expect(again.platformOrderRef).toBe(retried.platformOrderRef);
      expect(wc.orders.get(Number(retried.platformOrderRef))?.meta[0]?.value).toBe("ord-lost-answer");
      expect(wc.callsTo("POST", /^\/orders$/)).toHaveLength(1);
    });

    it("finds the first order by billing email when the meta is not searchable (no plugin)", async () => {
      const bare = await startWooStandIn({ searchableOrderMetaKeys: [] });
      try {
        const client = new WooCommercePlatform({ url: bare.url, consumerKey: bare.consumerKey, consumerSecret: bare.consumerSecret });
        const id = String(bare.addProduct({ stock: 5 }));
        // Another order of the same shopper must not be mistaken for ours.
        await client.createOrder({ orderId: "ord-other", lines: [{ ref: id, quantity: 1 }], customer: { email: "grace@example.com" } });
        const order = { orderId: "ord-by-email", lines: [{ ref: id, quantity: 1 }], customer: { email: "grace@example.com" } };
        const first = await client.createOrder(order);
        const second = await client.createOrder(order);
        expect(second.platformOrderRef).toBe(first.platformOrderRef);
        expect(bare.orders.size).toBe(2);
      } finally {
        await bare.close();
      }
    });

    it("shares one attempt between concurrent calls for the same order", async () => {
      const id = String(wc.addProduct({ stock: 5 }));
      const before = wc.orders.size;
      const client = platform();
      const order = { orderId: "ord-concurrent", lines: [{ ref: id, quantity: 1 }], customer: null };
      const results = await Promise.all([client.createOrder(order), client.createOrder(order), client.createOrder(order)]);
      expect(new Set(results.map((result) => result.platformOrderRef)).size).toBe(1);
      expect(wc.orders.size).toBe(before + 1);
    });

    it("voids an order whose product WooCommerce does not have, and says not_found", async () => {
      const id = String(wc.addProduct({ stock: 5 }));
      const error = await failure(
        platform().createOrder({
          orderId: "ord-ghost",
          lines: [
            { ref: id, quantity: 1 },
            { ref: "999123", quantity: 1 },
          ],
          customer: null,
        }),
      );
      expect(error.kind).toBe("not_found");
      const ghost = [...wc.orders.values()].find((order) => order.meta.some((meta) => meta.value === "ord-ghost"));
      expect(ghost?.status).toBe("cancelled");
    });

    it("cancels an order with the reason, and cancelling twice is fine", async () => {
      const id = String(wc.addProduct({ stock: 5 }));
      const client = platform();
      const { platformOrderRef } = await client.createOrder({ orderId: "ord-cancel", lines: [{ ref: id, quantity: 1 }], customer: null });
      await client.cancelOrder(platformOrderRef, "payment failed");
      await client.cancelOrder(platformOrderRef, "payment failed");
      const order = wc.orders.get(Number(platformOrderRef));
      expect(order?.status).toBe("cancelled");
      expect(order?.meta.find((meta) => meta.key === HOLDFAST_CANCEL_REASON_META)?.value).toBe("payment failed");
      expect((await failure(client.cancelOrder("not-a-number", "x"))).kind).toBe("rejected");
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startWooStandIn, wooFetch, type WooStandIn } from "../../support/woocommerce/index.ts";

/** The stand-in must refuse what WooCommerce refuses, or the adapter tests prove nothing. */
describe("WooCommerce stand-in strictness", () => {
  let wc: WooStandIn;
  let readOnly: WooStandIn;

  beforeAll(async () => {
    wc = await startWooStandIn();
    readOnly = await startWooStandIn({ keys: [{ consumerKey: "ck_read", consumerSecret: "cs_read", permissions: "read" }] });
  });
  afterAll(async () => {
    await wc.close();
    await readOnly.close();
  });

  function updates(count: number): Array<{ id: number; manage_stock: boolean; stock_quantity: number }> {
    return Array.from({ length: count }, () => ({ id: wc.addProduct({ stock: 1 }), manage_stock: true, stock_quantity: 9 }));
  }

  it("refuses a 101-item batch with 413 and the WooCommerce error shape, and applies none of it", async () => {
    const update = updates(101);
    const answer = await wooFetch(wc, "POST", "/products/batch", { body: { update } });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({
      code: "woocommerce_rest_request_entity_too_large",
      message: "Unable to accept more than 100 items for this request.",
      data: { status: 413 },
    });
    expect(update.every(({ id }) => wc.stockOf(String(id)) === 1)).toBe(true);
  });

  it("counts create + update + delete together against the limit, on variations too", async () => {
    const { productId, variationIds } = wc.addVariableProduct([{ stock: 1 }]);
    const update = Array.from({ length: 60 }, () => ({ id: variationIds[0], stock_quantity: 2 }));
    const answer = await wooFetch(wc, "POST", `/products/${productId}/variations/batch`, { body: { update, delete: Array.from({ length: 41 }, () => 1) } });
    expect(answer.status).toBe(413);
    expect((answer.body as { code: string }).code).toBe("woocommerce_rest_request_entity_too_large");
  });

  it("accepts exactly 100 items", async () => {
    const answer = await wooFetch(wc, "POST", "/products/batch", { body: { update: updates(100) } });
    expect(answer.status).toBe(200);
    expect((answer.body as { update: unknown[] }).update).toHaveLength(100);
  });

  it("reports an unknown id inside a 200 batch answer", async () => {
    const answer = await wooFetch(wc, "POST", "/products/batch", { body: { update: [{ id: 999999, stock_quantity: 1 }] } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      update: [{ id: 999999, error: { code: "woocommerce_rest_product_invalid_id", message: "Invalid ID.", data: { status: 400 } } }],
    });
  });

  it("ignores a stock quantity on an item that does not manage stock", async () => {
    const id = wc.addProduct({ manageStock: false });
    await wooFetch(wc, "POST", "/products/batch", { body: { update: [{ id, stock_quantity: 7 }] } });
    expect(wc.stockOf(String(id))).toBeNull();
    await wooFetch(wc, "POST", "/products/batch", { body: { update: [{ id, manage_stock: true, stock_quantity: 7 }] } });
    expect(wc.stockOf(String(id))).toBe(7);
  });

  it("accepts a correctly signed HMAC-SHA1 or HMAC-SHA256 request", async () => {
    for (const signatureMethod of ["HMAC-SHA1", "HMAC-SHA256"] as const) {
      const answer = await wooFetch(wc, "GET", "/products", { query: { per_page: "1" }, signatureMethod });
      expect(answer.status).toBe(200);
    }
  });

  it("refuses a forged signature: parameters changed after signing", async () => {
    const answer = await wooFetch(wc, "GET", "/products", { query: { per_page: "1" }, tamper: (url) => url.searchParams.set("per_page", "100") });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      code: "woocommerce_rest_authentication_error",
      message: "Invalid signature - provided signature does not match.",
      data: { status: 401 },
    });
  });

  it("refuses a signature made with the wrong secret, an unknown key, or PLAINTEXT", async () => {
    const wrongSecret = await wooFetch(wc, "GET", "/products", { consumerSecret: "cs_guess" });
    expect(wrongSecret.status).toBe(401);
    expect((wrongSecret.body as { message: string }).message).toBe("Invalid signature - provided signature does not match.");

    const unknownKey = await wooFetch(wc, "GET", "/products", { consumerKey: "ck_nobody" });
    expect(unknownKey.body).toEqual({ code: "woocommerce_rest_authentication_error", message: "Consumer key is invalid.", data: { status: 401 } });

    const plaintext = await wooFetch(wc, "GET", "/products", { signatureMethod: "PLAINTEXT" });
    expect((plaintext.body as { message: string }).message).toBe("Invalid signature - signature method is invalid.");
  });

  it("signs the site's home URL, so another host in the base string fails", async () => {
    const answer = await wooFetch(wc, "GET", "/products", { signedBaseUrl: `${wc.url.replace("127.0.0.1", "localhost")}/wp-json/wc/v3/products` });
    expect(answer.status).toBe(401);
  });

  it("refuses a stale timestamp and a replayed nonce", async () => {
    const stale = await wooFetch(wc, "GET", "/products", { timestamp: Math.floor(Date.now() / 1000) - 16 * 60 });
    expect(stale.body).toEqual({ code: "woocommerce_rest_authentication_error", message: "Invalid timestamp.", data: { status: 401 } });

    const first = await wooFetch(wc, "GET", "/products", { nonce: "same-nonce-twice" });
    const replay = await wooFetch(wc, "GET", "/products", { nonce: "same-nonce-twice" });
    expect(first.status).toBe(200);
    expect((replay.body as { message: string }).message).toBe("Invalid nonce - nonce has already been used.");
  });

  it("says which OAuth parameters are missing", async () => {
    const answer = await wooFetch(wc, "GET", "/products", { tamper: (url) => url.searchParams.delete("oauth_nonce") });
    expect(answer.body).toEqual({
      code: "woocommerce_rest_authentication_missing_parameter",
      message: "Missing OAuth parameter oauth_nonce",
      data: { status: 401 },
    });
  });

  it("does not accept Basic auth or query-string keys over plain HTTP", async () => {
    const basic = await wooFetch(wc, "GET", "/products", {
      unsigned: { authorization: `Basic ${Buffer.from(`${wc.consumerKey}:${wc.consumerSecret}`).toString("base64")}` },
    });
    expect(basic.body).toEqual({ code: "woocommerce_rest_cannot_view", message: "Sorry, you cannot list resources.", data: { status: 401 } });

    const queryKeys = await wooFetch(wc, "POST", "/products/batch", {
      unsigned: {},
      query: { consumer_key: wc.consumerKey, consumer_secret: wc.consumerSecret },
      body: { update: [] },
    });
    expect(queryKeys.status).toBe(401);
    expect((queryKeys.body as { code: string }).code).toBe("woocommerce_rest_cannot_batch");
  });

  it("enforces the key's permissions", async () => {
    const read = await wooFetch(readOnly, "GET", "/products");
    const write = await wooFetch(readOnly, "POST", "/products/batch", { body: { update: [] } });
    expect(read.status).toBe(200);
    expect(write.body).toEqual({
      code: "woocommerce_rest_authentication_error",
      message: "The API key provided does not have write permissions.",
      data: { status: 401 },
    });
  });

  it("answers WordPress errors for unknown routes, bad parameters and bad JSON", async () => {
    expect((await wooFetch(wc, "GET", "/nothing-here")).body).toEqual({
      code: "rest_no_route",
      message: "No route was found matching the URL and request method.",
      data: { status: 404 },
    });
    const perPage = await wooFetch(wc, "GET", "/products", { query: { per_page: "101" } });
    expect(perPage.status).toBe(400);
    expect((perPage.body as { code: string }).code).toBe("rest_invalid_param");
    const missingOrder = await wooFetch(wc, "PUT", "/orders/424242", { body: { status: "cancelled" } });
    expect(missingOrder.body).toEqual({ code: "woocommerce_rest_shop_order_invalid_id", message: "Invalid ID.", data: { status: 400 } });
  });
});

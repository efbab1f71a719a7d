// The merchant's side of customers/data_request: the report the webhook kept, listed in the
// embedded admin (/app/privacy) and downloaded through the authenticated route, for the shop's
// own session only.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { shopifyCustomerRef } from "../../../app/platforms/shopify/webhooks.ts";
import { loader as privacyList } from "../../../app/routes/app.privacy.tsx";
import { loader as privacyDownload } from "../../../app/routes/app.privacy_.$id[.]json.tsx";
import { action as customersDataRequest } from "../../../app/routes/webhooks.customers.data_request.tsx";
import { sessionToken } from "../ui/support/embedded.ts";
import { API_KEY, API_SECRET, signedWebhook, startShopifyHarness, TEST_APP, type ShopifyHarness } from "./harness.ts";

let h: ShopifyHarness;
beforeAll(async () => {
  h = await startShopifyHarness();
});
afterAll(() => h.close());

type Loader = (args: LoaderFunctionArgs) => Promise<Response>;

/** A fetch from the shop's embedded admin: App Bridge adds its session token as a bearer token. */
function fromAdmin(loader: Loader, shop: string, path: string, params: Record<string, string> = {}): Promise<Response> {
  const request = new Request(`${TEST_APP.appUrl}${path}`, { headers: { authorization: `Bearer ${sessionToken(shop, API_KEY, API_SECRET)}` } });
  return loader({ request, context: h.context, params });
}

describe("privacy requests in the embedded admin", () => {
  it("lists the data request Shopify sent and downloads its report with the customer's orders and holds; another shop gets 404", async () => {
    const { shop, storeId } = await h.installShop("privacy-page");
    const other = await h.installShop("privacy-other");
    const sale = await h.createLiveSale(storeId, shop, [{ title: "Sneaker", allocation: 5 }]);
    const customer = shopifyCustomerRef(777);
    await h.db.order.create({
      data: { saleId: sale.saleId, platformOrderRef: "gid://shopify/Order/71", status: "committed", customerRef: customer, linesJson: "[]" },
    });
    const item = sale.items[0]!.itemId;
    const hold = await h.app.holds.reserve(sale.saleId, { lines: [{ itemId: item, quantity: 1 }], customerId: customer, ttlMs: 600_000, requestId: "p1" });
    if (hold.outcome !== "reserved") throw new Error("no hold");

    const payload = { shop_id: 1, shop_domain: shop, customer: { id: 777, email: "c@example.com" }, orders_requested: [71], data_request: { id: 3 } };
    const delivered = await customersDataRequest({
      request: signedWebhook("/webhooks/customers/data_request", { topic: "customers/data_request", shop, payload }),
      context: h.context,
      params: {},
    });
    expect(delivered.status).toBe(200);

    const list = (await (await fromAdmin(privacyList, shop, "/app/privacy")).json()) as { requests: { id: string; customer: string }[] };
    expect(list.requests).toEqual([expect.objectContaining({ customer })]);
    const id = list.requests[0]!.id;
    // The other shop sees none of it.
    expect(((await (await fromAdmin(privacyList, other.shop, "/app/privacy")).json()) as { requests: unknown[] }).requests).toEqual([]);

    const download = await fromAdmin(privacyDownload, shop, `/app/privacy/${id}.json`, { id });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toMatch(/^application\/json/);
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="holdfast-privacy-report-${id}.json"`);
    expect(await download.json()).toMatchObject({
      shop,
      customerRef: customer,
      orders: [expect.objectContaining({ platformOrderRef: "gid://shopify/Order/71", saleId: sale.saleId })],
      sales: [{ saleId: sale.saleId, holds: [expect.objectContaining({ holdId: hold.holdId, lines: [{ itemId: item, quantity: 1 }] })] }],
    });

    const stolen = await fromAdmin(privacyDownload, other.shop, `/app/privacy/${id}.json`, { id });
    expect(stolen.status).toBe(404);
    expect(await stolen.json()).toMatchObject({ error: { code: "privacy_report_not_found" } });
    const unknown = await fromAdmin(privacyDownload, shop, "/app/privacy/pr_nope.json", { id: "pr_nope" });
    expect(unknown.status).toBe(404);
  });

  it("downloads nothing without the shop's session token", async () => {
    const { shop } = await h.installShop("privacy-anon");
    const request = new Request(`${TEST_APP.appUrl}/app/privacy/pr_x.json`, { headers: { authorization: `Bearer ${sessionToken(shop, API_KEY, "forged")}` } });
    const answer = await privacyDownload({ request, context: h.context, params: { id: "pr_x" } }).then(
      (response) => response,
      (thrown: unknown) => thrown as Response,
    );
    expect(answer).toBeInstanceOf(Response);
    expect(answer.status).toBe(401);
  });
});

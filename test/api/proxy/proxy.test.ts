import { createHmac, randomBytes, randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { proxySignature, verifyProxyQuery } from "../../../app/api/proxy/signature.ts";
import { HttpError } from "../../../app/api/HttpError.ts";
import { requireShopify } from "../../../app/shopify.server.ts";
import { API_SECRET, JOINS_PER_ADDRESS, startShopifyHarness, TEST_APP, type ShopifyHarness } from "../../app/shopify/harness.ts";

let h: ShopifyHarness;
let shop: string;
let saleId: string;
let itemId: string;
let otherShop: string;
let otherSaleId: string;
let storeId: string;

beforeAll(async () => {
  h = await startShopifyHarness();
  const installed = await h.installShop("proxy");
  shop = installed.shop;
  storeId = installed.storeId;
  const sale = await h.createLiveSale(installed.storeId, shop, [{ title: "Sneaker", allocation: 10 }], { perCustomerLimit: 2 });
  saleId = sale.saleId;
  itemId = sale.items[0]!.itemId;
  const other = await h.installShop("elsewhere");
  otherShop = other.shop;
  otherSaleId = (await h.createLiveSale(other.storeId, otherShop, [{ title: "Cap", allocation: 3 }])).saleId;
});
afterAll(() => h.close());

/** The query Shopify's app proxy appends, signed as Shopify signs it (hex HMAC-SHA256, sorted key=value, no separator). */
function signedQuery(params: [string, string][], options: { secret?: string; at?: number } = {}): string {
  const query = new URLSearchParams(params);
  if (!query.has("timestamp")) query.append("timestamp", String(Math.floor((options.at ?? Date.now()) / 1_000)));
  if (!query.has("path_prefix")) query.append("path_prefix", "/apps/holdfast");
  const grouped = new Map<string, string[]>();
  for (const [key, value] of query) grouped.set(key, [...(grouped.get(key) ?? []), value]);
  const message = [...grouped.keys()]
    .sort()
    .map((key) => `${key}=${grouped.get(key)!.join(",")}`)
    .join("");
  query.append(
    "signature",
    createHmac("sha256", options.secret ?? API_SECRET)
      .update(message)
      .digest("hex"),
  );
  return query.toString();
}

async function proxyCall(method: string, path: string, query: string, init: { session?: string; body?: unknown; bearer?: string } = {}) {
  const headers: Record<string, string> = { "x-holdfast-session": init.session ?? randomBytes(18).toString("base64url") };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  const res = await fetch(`${h.base}/proxy${path}?${query}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

const ticketsIssued = async (sale: string) => (await h.app.room.view(sale))?.issued ?? 0;

describe("the app-proxy signature", () => {
  it('reproduces Shopify\'s documented example (shopify.dev, Authenticate app proxies: secret "hush")', () => {
    const query = new URLSearchParams(
      "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555",
    );
    expect(proxySignature(query, "hush")).toBe("4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb");
    query.append("signature", "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb");
    expect(verifyProxyQuery(query, "hush", 1317327555_000)).toEqual({ shop: "shop-name.myshopify.com", customerId: "1" });
  });

  it("agrees with the Shopify library's own check (authenticate.public.appProxy), repeated custom keys included", async () => {
    const library = requireShopify();
    const now = Date.now();
    const accepted = signedQuery(
      [
        ["extra", "1"],
        ["extra", "2"],
        ["shop", "shop-name.myshopify.com"],
        ["logged_in_customer_id", "1"],
        ["q", "a b+c/é"],
      ],
      { at: now },
    );
    expect(verifyProxyQuery(new URLSearchParams(accepted), API_SECRET, now).shop).toBe("shop-name.myshopify.com");
    await expect(library.authenticate.public.appProxy(new Request(`${TEST_APP.appUrl}/proxy/x?${accepted}`))).resolves.toBeDefined();
    // The two also agree on refusing: our signature with another secret fails the library's check.
    const forged = signedQuery(
      [
        ["extra", "1"],
        ["shop", "shop-name.myshopify.com"],
      ],
      { secret: "guess", at: now },
    );
    await expect(library.authenticate.public.appProxy(new Request(`${TEST_APP.appUrl}/proxy/x?${forged}`))).rejects.toMatchObject({ status: 400 });
    expect(() => verifyProxyQuery(new URLSearchParams(forged), API_SECRET, now)).toThrow(HttpError);
    expect(proxySignature(new URLSearchParams(accepted), API_SECRET)).toBe(new URLSearchParams(accepted).get("signature"));
  });

  it("verifies with the secret, in constant time, and takes shop and customer only from the signed parameters", () => {
    const now = Date.now();
    const verified = verifyProxyQuery(
      new URLSearchParams(
        signedQuery(
          [
            ["shop", "a.myshopify.com"],
            ["logged_in_customer_id", "12"],
          ],
          { at: now },
        ),
      ),
      API_SECRET,
      now,
    );
    expect(verified).toEqual({ shop: "a.myshopify.com", customerId: "12" });
    const guest = verifyProxyQuery(
      new URLSearchParams(
        signedQuery(
          [
            ["shop", "a.myshopify.com"],
            ["logged_in_customer_id", ""],
          ],
          { at: now },
        ),
      ),
      API_SECRET,
      now,
    );
    expect(guest.customerId).toBeNull();
  });

  it.each([
    ["forged (another secret)", () => signedQuery([["shop", "a.myshopify.com"]], { secret: "guess" }), "proxy_signature_invalid"],
    ["tampered (shop changed after signing)", () => signedQuery([["shop", "a.myshopify.com"]]).replace("shop=a.", "shop=b."), "proxy_signature_invalid"],
    ["stale (older than 90 s)", () => signedQuery([["shop", "a.myshopify.com"]], { at: Date.now() - 91_000 }), "proxy_signature_stale"],
    ["from the future", () => signedQuery([["shop", "a.myshopify.com"]], { at: Date.now() + 91_000 }), "proxy_signature_stale"],
    ["missing", () => "shop=a.myshopify.com&timestamp=1", "proxy_signature_missing"],
    [
      "with a repeated shop",
      () =>
        signedQuery([
          ["shop", "a.myshopify.com"],
          ["shop", "b.myshopify.com"],
        ]),
      "proxy_param_repeated",
    ],
    [
      "with a repeated customer",
      () =>
        signedQuery([
          ["shop", "a.myshopify.com"],
          ["logged_in_customer_id", "1"],
          ["logged_in_customer_id", "2"],
        ]),
      "proxy_param_repeated",
    ],
    ["with a repeated signature", () => `${signedQuery([["shop", "a.myshopify.com"]])}&signature=00`, "proxy_param_repeated"],
  ])("refuses a request %s with 401", (_name, query, code) => {
    let thrown: unknown;
    try {
      verifyProxyQuery(new URLSearchParams(query()), API_SECRET, Date.now());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HttpError);
    expect(thrown).toMatchObject({ status: 401, code });
  });
});

describe("the storefront behind the app proxy", () => {
  it("serves join, status, stock, hold and release for the signing shop's sale", async () => {
    const session = randomBytes(18).toString("base64url");
    const query = () =>
      signedQuery([
        ["shop", shop],
        ["logged_in_customer_id", ""],
      ]);
    const joined = await proxyCall("POST", `/sales/${saleId}/tickets`, query(), { session });
    expect(joined.status).toBe(201);
    const status = await proxyCall("GET", `/sales/${saleId}/status`, query(), { session, bearer: String(joined.body.ticket) });
    expect(status).toMatchObject({ status: 200, body: { state: "admitted" } });
    const stock = await proxyCall("GET", `/sales/${saleId}/stock`, query());
    expect(stock).toMatchObject({ status: 200, body: { items: [expect.objectContaining({ itemId, allocated: 10 })] } });
    const hold = await proxyCall("POST", `/sales/${saleId}/holds`, query(), { session, body: { lines: [{ itemId, quantity: 1 }], requestId: randomUUID() } });
    expect(hold.status).toBe(201);
    const released = await fetch(`${h.base}/proxy/holds/${String(hold.body.holdId)}?${query()}`, {
      method: "DELETE",
      headers: { "x-holdfast-session": session, authorization: `Bearer ${String(hold.body.token)}` },
    });
    expect(released.status).toBe(204);
  });

  it("takes the session and token from the signed query when the proxy dropped the headers, and only from the signed query", async () => {
    const session = randomBytes(18).toString("base64url");
    const bare = async (method: string, path: string, query: string, body?: unknown) => {
      const res = await fetch(`${h.base}/proxy${path}?${query}`, {
        method,
        headers: body ? { "content-type": "application/json" } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
    };
    const joined = await bare(
      "POST",
      `/sales/${saleId}/tickets`,
      signedQuery([
        ["shop", shop],
        ["hf_session", session],
      ]),
    );
    expect(joined).toMatchObject({ status: 201, body: { session } });
    const ticket = String(joined.body.ticket);
    const status = await bare(
      "GET",
      `/sales/${saleId}/status`,
      signedQuery([
        ["shop", shop],
        ["hf_session", session],
        ["hf_token", ticket],
      ]),
    );
    expect(status).toMatchObject({ status: 200, body: { state: "admitted" } });
    // Appended after signing: the signature no longer matches, so it never counts.
    const smuggled = await bare("GET", `/sales/${saleId}/status`, `${signedQuery([["shop", shop]])}&hf_session=${session}&hf_token=${ticket}`);
    expect(smuggled).toMatchObject({ status: 401, body: { error: { code: "proxy_signature_invalid" } } });
    // Another session's ticket is still refused through the query.
    const other = await bare(
      "GET",
      `/sales/${saleId}/status`,
      signedQuery([
        ["shop", shop],
        ["hf_session", randomBytes(18).toString("base64url")],
        ["hf_token", ticket],
      ]),
    );
    expect(other).toMatchObject({ status: 403, body: { error: { code: "ticket_session_mismatch" } } });
  });

  it("refuses forged, stale, duplicated and unsigned requests with 401 before anything happens", async () => {
    const before = await ticketsIssued(saleId);
    const attempts = [
      signedQuery([["shop", shop]], { secret: "guess" }),
      signedQuery([["shop", shop]], { at: Date.now() - 120_000 }),
      signedQuery([
        ["shop", shop],
        ["shop", otherShop],
      ]),
      `shop=${shop}`,
    ];
    for (const query of attempts) {
      const answer = await proxyCall("POST", `/sales/${saleId}/tickets`, query);
      expect(answer.status).toBe(401);
      expect(String((answer.body.error as { code: string }).code)).toMatch(/^proxy_/);
    }
    expect(await ticketsIssued(saleId)).toBe(before);
  });

  it("answers another shop's sale as unknown, and a shop without Holdfast with 403", async () => {
    const before = await ticketsIssued(otherSaleId);
    const crossShop = await proxyCall("POST", `/sales/${otherSaleId}/tickets`, signedQuery([["shop", shop]]));
    expect(crossShop).toMatchObject({ status: 404, body: { error: { code: "sale_not_found" } } });
    expect(await ticketsIssued(otherSaleId)).toBe(before);
    const stranger = await proxyCall("GET", `/sales/${saleId}/stock`, signedQuery([["shop", "stranger.myshopify.com"]]));
    expect(stranger).toMatchObject({ status: 403, body: { error: { code: "shop_not_installed" } } });
  });

  it("counts a logged-in customer's per-customer limit across browsers", async () => {
    const customer = String(Date.now());
    const hold = (session: string) =>
      proxyCall(
        "POST",
        `/sales/${saleId}/holds`,
        signedQuery([
          ["shop", shop],
          ["logged_in_customer_id", customer],
        ]),
        { session, body: { lines: [{ itemId, quantity: 2 }], requestId: randomUUID() } },
      );
    expect((await hold(randomBytes(18).toString("base64url"))).status).toBe(201);
    // Another browser, same customer: the limit of 2 is reached.
    expect(await hold(randomBytes(18).toString("base64url"))).toMatchObject({ status: 422, body: { error: { code: "limit_exceeded" } } });
    // A guest in another browser is someone else.
    const guest = await proxyCall(
      "POST",
      `/sales/${saleId}/holds`,
      signedQuery([
        ["shop", shop],
        ["logged_in_customer_id", ""],
      ]),
      { body: { lines: [{ itemId, quantity: 2 }], requestId: randomUUID() } },
    );
    expect(guest.status).toBe(201);
  });

  it("limits joins per shopper address (the hop Shopify adds to X-Forwarded-For), not per Shopify address", async () => {
    const sale = (await h.createLiveSale(storeId, shop, [{ title: "Tee", allocation: 5 }])).saleId;
    const join = (address: string) =>
      fetch(`${h.base}/proxy/sales/${sale}/tickets?${signedQuery([["shop", shop]])}`, {
        method: "POST",
        headers: { "x-holdfast-session": randomBytes(18).toString("base64url"), "x-forwarded-for": address },
      });
    for (let i = 0; i < JOINS_PER_ADDRESS; i++) expect((await join("203.0.113.7")).status).toBe(201);
    expect((await join("203.0.113.7")).status).toBe(429);
    // Another shopper through the same Shopify connection is not limited by the first one.
    expect((await join("203.0.113.8")).status).toBe(201);
    // What a shopper writes to the left of Shopify's hop changes nothing.
    expect((await join("198.51.100.1, 203.0.113.7")).status).toBe(429);
  });
});

describe("a Shopify sale that takes holds only through the store (issue #12 item 7)", () => {
  it("refuses holds sent to /v1 directly with 403 holds_through_store_only, changing nothing, and keeps taking them through the app proxy", async () => {
    const sale = await h.createLiveSale(storeId, shop, [{ title: "Boot", allocation: 5 }], { perCustomerLimit: 2 });
    const boot = sale.items[0]!.itemId;
    const direct = (quantity = 1) =>
      fetch(`${h.base}/v1/sales/${sale.saleId}/holds`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-holdfast-session": randomBytes(18).toString("base64url") },
        body: JSON.stringify({ lines: [{ itemId: boot, quantity }], requestId: randomUUID() }),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));
    // Off (the default): the storefront API takes holds as before.
    expect((await direct()).status).toBe(201);

    const updated = await h.app.sales.update(sale.saleId, { holdsThroughStoreOnly: true });
    expect(updated.sale.holdsThroughStoreOnly).toBe(true);
    // The storefront's room cache keeps a view up to a second: wait for the setting to arrive, never for a duration.
    // More than the sale has: until the setting arrives the answer is 409 sold_out, which holds nothing.
    await expect.poll(async () => (await direct(50)).status, { timeout: 20_000 }).toBe(403);
    const before = await h.app.holds.snapshot(sale.saleId);
    const refused = await direct();
    expect(refused).toMatchObject({ status: 403, body: { error: { code: "holds_through_store_only" } } });
    expect(String((refused.body.error as { message: string }).message)).toContain("through its Shopify store");
    expect(await h.app.holds.snapshot(sale.saleId)).toEqual(before);

    const customer = String(Date.now());
    const proxied = await proxyCall(
      "POST",
      `/sales/${sale.saleId}/holds`,
      signedQuery([
        ["shop", shop],
        ["logged_in_customer_id", customer],
      ]),
      { body: { lines: [{ itemId: boot, quantity: 2 }], requestId: randomUUID() } },
    );
    expect(proxied.status, JSON.stringify(proxied.body)).toBe(201);
    // A guest through the proxy is verified as coming from the store, too.
    const guest = await proxyCall("POST", `/sales/${sale.saleId}/holds`, signedQuery([["shop", shop]]), {
      body: { lines: [{ itemId: boot, quantity: 1 }], requestId: randomUUID() },
    });
    expect(guest.status, JSON.stringify(guest.body)).toBe(201);
    expect((await h.app.holds.snapshot(sale.saleId))?.items[boot]).toMatchObject({
      held: (before?.items[boot]?.held ?? 0) + 3,
      available: (before?.items[boot]?.available ?? 0) - 3,
    });

    // It protects a per-customer limit: a limit of 0 with the setting on is refused, and nothing changes.
    await expect(h.app.sales.update(sale.saleId, { perCustomerLimit: 0 })).rejects.toMatchObject({ code: "invalid_holds_through_store" });
    expect((await h.app.sales.get(sale.saleId)).sale).toMatchObject({ perCustomerLimit: 2, holdsThroughStoreOnly: true });
  }, 60_000);
});

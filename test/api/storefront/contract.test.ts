import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Shopper, startStorefront, ALLOWED_ORIGIN, type Storefront } from "../../support/storefront.ts";

let shop: Storefront;
beforeAll(async () => {
  shop = await startStorefront({ rules: { joinPerSession: { limit: 5, windowMs: 60_000 } } });
});
afterAll(() => shop.close());

async function stockOf(saleId: string) {
  return (await shop.deps.holds.snapshot(saleId))?.items;
}

describe("tickets and status", () => {
  it("joins a live sale and reports the place; the same ticket from another session is refused", async () => {
    const saleId = await shop.createSale({ mode: "rate", perMinute: 60 });
    const ann = new Shopper(shop.base, saleId);
    const joined = await ann.join();
    expect(joined.status).toBe(201);
    expect(joined.body).toMatchObject({ state: "waiting", position: 1, session: ann.session });
    expect(typeof joined.body.ticket).toBe("string");
    expect(joined.body.refreshAfter).toBeGreaterThanOrEqual(1);

    const status = await ann.status();
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ state: "waiting", position: 1, ahead: 0, passRequired: true, paused: false });

    const thief = new Shopper(shop.base, saleId);
    thief.ticket = ann.ticket;
    expect(await thief.status()).toMatchObject({ status: 403, body: { error: { code: "ticket_session_mismatch" } } });
  });

  it("refuses missing, forged, foreign and wrong-type tickets", async () => {
    const saleId = await shop.createSale();
    const other = await shop.createSale();
    const ann = new Shopper(shop.base, saleId);
    await ann.join();
    const [head, payload, signature] = ann.ticket.split(".");
    const cases: [string, number, string][] = [
      ["", 401, "ticket_required"],
      ["not-a-token", 401, "ticket_invalid"],
      [`${head}.${payload}.${signature?.slice(0, -2)}AA`, 401, "ticket_invalid"],
      [
        `${head}.${Buffer.from(JSON.stringify({ typ: "ticket", s: saleId, sh: "x", k: "q", n: 1, iat: 1 })).toString("base64url")}.${signature}`,
        401,
        "ticket_invalid",
      ],
      [`eyJhbGciOiJub25lIn0.${payload}.`, 401, "ticket_invalid"],
    ];
    for (const [ticket, status, code] of cases) {
      ann.ticket = ticket;
      expect(await ann.status(), ticket.slice(0, 30)).toMatchObject({ status, body: { error: { code } } });
    }
    const elsewhere = new Shopper(shop.base, other);
    await elsewhere.join();
    const crossSale = new Shopper(shop.base, saleId);
    Object.assign(crossSale, { session: elsewhere.session });
    crossSale.ticket = elsewhere.ticket;
    expect(await crossSale.status()).toMatchObject({ status: 403, body: { error: { code: "ticket_wrong_sale" } } });
  });

  it("answers 404 for unknown sales and 409 for a sale that has not opened or has ended", async () => {
    const ghost = new Shopper(shop.base, "no-such-sale");
    expect(await ghost.join()).toMatchObject({ status: 404, body: { error: { code: "sale_not_found" } } });
    const scheduled = await shop.createSale({ state: "scheduled", startsAt: Date.now() + 3_600_000 });
    expect(await new Shopper(shop.base, scheduled).join()).toMatchObject({ status: 409, body: { error: { code: "sale_not_open" } } });
    const ended = await shop.createSale();
    await shop.deps.room.transition(ended, "ended");
    shop.deps.views.invalidate(ended);
    expect(await new Shopper(shop.base, ended).join()).toMatchObject({ status: 409, body: { error: { code: "sale_ended" } } });
  });

  it("rate-limits joins per session with 429 and Retry-After", async () => {
    const saleId = await shop.createSale();
    const ann = new Shopper(shop.base, saleId);
    for (let i = 0; i < 5; i++) expect((await ann.join()).status).toBe(201);
    const limited = await ann.join();
    expect(limited).toMatchObject({ status: 429, body: { error: { code: "rate_limited" } } });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("holds", () => {
  it("needs no pass when the room admits everyone, and gives units back on DELETE", async () => {
    const saleId = await shop.createSale({ items: { shoe: 5 } });
    const ann = new Shopper(shop.base, saleId);
    const hold = await ann.hold([{ itemId: "shoe", quantity: 2 }]);
    expect(hold.status).toBe(201);
    expect(hold.body).toMatchObject({ lines: [{ itemId: "shoe", quantity: 2 }], replayed: false });
    expect(Date.parse(String(hold.body.expiresAt))).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect((await stockOf(saleId))?.shoe).toMatchObject({ available: 3, held: 2 });
    // The token names the sale, the hold and its lines, which the checkout gate checks offline.
    const claims = JSON.parse(Buffer.from(String(hold.body.token).split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    expect(claims).toMatchObject({ typ: "hold", s: saleId, h: hold.body.holdId, sh: expect.any(String), ln: [{ i: "shoe", q: 2 }] });
    expect(claims.exp).toBe(Math.ceil(Date.parse(String(hold.body.expiresAt)) / 1000));

    const stock = await ann.request("GET", `/v1/sales/${saleId}/stock`);
    expect(stock.body).toEqual({ items: [{ itemId: "shoe", allocated: 5, available: 3, held: 2, sold: 0 }], soldOut: false });
    expect(stock.headers.get("cache-control")).toBe("public, max-age=1");

    const other = await ann.hold([{ itemId: "shoe", quantity: 1 }]);
    expect((await ann.request("DELETE", `/v1/holds/${hold.body.holdId}`, { bearer: String(other.body.token) })).body).toMatchObject({
      error: { code: "hold_token_mismatch" },
    });
    expect((await ann.request("DELETE", `/v1/holds/${hold.body.holdId}`)).status).toBe(401);
    expect((await ann.request("DELETE", `/v1/holds/${hold.body.holdId}`, { bearer: String(hold.body.token) })).status).toBe(204);
    expect((await stockOf(saleId))?.shoe).toMatchObject({ available: 4, held: 1 });
  });

  it("spends an admission pass once, lets the same request retry, and returns the pass when the hold fails", async () => {
    const saleId = await shop.createSale({ mode: "rate", perMinute: 600, items: { shoe: 3, hat: 10 } });
    const ann = new Shopper(shop.base, saleId);
    await ann.join();
    expect(await ann.hold([{ itemId: "shoe", quantity: 1 }])).toMatchObject({ status: 403, body: { error: { code: "pass_required" } } });

    await shop.admitThrough(saleId, 1);
    const admitted = await ann.status();
    expect(admitted.body).toMatchObject({ state: "admitted", position: 1 });
    const pass = String(admitted.body.pass);

    // Sold out: the pass is given back and buys another cart.
    expect(await ann.hold([{ itemId: "shoe", quantity: 4 }], { pass })).toMatchObject({ status: 409, body: { error: { code: "sold_out" } } });
    const first = await ann.hold([{ itemId: "hat", quantity: 1 }], { pass, requestId: "request-one" });
    expect(first.status).toBe(201);
    const retry = await ann.hold([{ itemId: "hat", quantity: 1 }], { pass, requestId: "request-one" });
    expect(retry).toMatchObject({ status: 201, body: { holdId: first.body.holdId, replayed: true } });
    expect(await ann.hold([{ itemId: "hat", quantity: 1 }], { pass, requestId: "request-two" })).toMatchObject({
      status: 403,
      body: { error: { code: "pass_used" } },
    });
    expect((await stockOf(saleId))?.hat).toMatchObject({ held: 1 });

    const thief = new Shopper(shop.base, saleId);
    expect(await thief.hold([{ itemId: "hat", quantity: 1 }], { pass })).toMatchObject({ status: 403, body: { error: { code: "pass_invalid" } } });
    expect(await ann.hold([{ itemId: "hat", quantity: 1 }], { pass: ann.ticket })).toMatchObject({ status: 403, body: { error: { code: "pass_invalid" } } });
  });

  it("enforces the per-customer limit with 422", async () => {
    const saleId = await shop.createSale({ perCustomerLimit: 2 });
    const ann = new Shopper(shop.base, saleId);
    expect((await ann.hold([{ itemId: "shoe", quantity: 2 }])).status).toBe(201);
    expect(await ann.hold([{ itemId: "shoe", quantity: 1 }])).toMatchObject({ status: 422, body: { error: { code: "limit_exceeded" } } });
  });

  it("refuses bad input with a 4xx code and changes nothing", async () => {
    const saleId = await shop.createSale({ items: { shoe: 5 } });
    const ann = new Shopper(shop.base, saleId);
    const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
      fetch(`${shop.base}/v1/sales/${saleId}/holds`, { method: "POST", headers: { "x-holdfast-session": ann.session, ...headers }, body });
    const cases: [Promise<Response>, number, string][] = [
      [post("{not json"), 400, "invalid_json"],
      [post(JSON.stringify({ lines: "shoe", requestId: "abcdefgh" })), 400, "invalid_request"],
      [post(JSON.stringify({ lines: [{ itemId: "shoe", quantity: -1 }], requestId: "abcdefgh" })), 400, "invalid_request"],
      [post(JSON.stringify({ lines: [{ itemId: "shoe", quantity: 1e9 }], requestId: "abcdefgh" })), 400, "invalid_request"],
      [post(JSON.stringify({ lines: [{ itemId: "shoe", quantity: "1" }], requestId: "abcdefgh" })), 400, "invalid_request"],
      [post(JSON.stringify({ lines: [{ itemId: "shoe", quantity: 1 }], requestId: "abcdefgh", extra: true })), 400, "invalid_request"],
      [post(JSON.stringify({ lines: [{ itemId: "shoe", quantity: 1 }] })), 400, "invalid_request"],
      [post(JSON.stringify({ lines: [{ itemId: "shoe", quantity: 1 }], requestId: "abcdefgh", pad: "x".repeat(20_000) })), 413, "body_too_large"],
      [
        post(JSON.stringify({ lines: [{ itemId: "shoe", quantity: 1 }], requestId: "abcdefgh" }), { "content-type": "text/plain" }),
        415,
        "unsupported_media_type",
      ],
      [post(JSON.stringify({ lines: [{ itemId: "ghost", quantity: 1 }], requestId: "abcdefgh" })), 404, "item_not_found"],
      [
        fetch(`${shop.base}/v1/sales/${saleId}/holds`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-holdfast-session": "short" },
          body: "{}",
        }),
        400,
        "invalid_session",
      ],
      [
        fetch(`${shop.base}/v1/sales/${saleId}/holds`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
        400,
        "session_required",
      ],
    ];
    for (const [response, status, code] of cases) {
      const res = await response;
      expect({ status: res.status, body: await res.json() }).toMatchObject({ status, body: { error: { code } } });
    }
    expect((await stockOf(saleId))?.shoe).toEqual({ allocated: 5, available: 5, held: 0, sold: 0 });
  });
});

describe("CORS", () => {
  it("answers preflights only for the store's origins", async () => {
    const saleId = await shop.createSale();
    const preflight = (origin: string) =>
      fetch(`${shop.base}/v1/sales/${saleId}/holds`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,x-holdfast-session" },
      });
    const allowed = await preflight(ALLOWED_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    const refused = await preflight("https://evil.example");
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "origin_not_allowed" } });
  });
});

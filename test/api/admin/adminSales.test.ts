import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { adminSaleRoutes } from "../../../app/api/admin/index.ts";
import { PrismaOrderRepository } from "../../../app/db/PrismaOrderRepository.ts";
import { ManualClock } from "../../support/redis.ts";
import { sendOversized, startAdminApi, TOKEN, type AdminApi, type Answer } from "./adminClient.ts";

const HOUR = 3_600_000;
const clock = new ManualClock();
const at = (offsetMs: number) => new Date(clock.now() + offsetMs).toISOString();
let api: AdminApi;

beforeAll(async () => {
  api = await startAdminApi(clock);
});
afterAll(() => api?.close());

interface ItemJson {
  id: string;
  title: string;
  allocation: number;
  available: number | null;
  held: number | null;
  sold: number | null;
}

const validSale = () => ({
  name: "Winter drop",
  items: [
    { title: "Sneaker", allocation: 100 },
    { title: "Cap", allocation: 50, platformRef: "gid://shopify/ProductVariant/7" },
  ],
  holdMinutes: 10,
  perCustomerLimit: 2,
  admission: { mode: "rate", perMinute: 600 },
});

async function createSale(body: unknown = validSale()): Promise<{ id: string; items: ItemJson[] }> {
  const answer = await api.call("POST", "/v1/admin/sales", body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as unknown as { id: string; items: ItemJson[] };
}

/** Places a hold as a shopper would, failing the test if it is refused. */
async function hold(saleId: string, itemId: string, quantity: number): Promise<void> {
  const result = await api.harness.holds.reserve(saleId, { lines: [{ itemId, quantity }], customerId: `c-${quantity}`, ttlMs: HOUR, requestId: "r" });
  expect(result.outcome).toBe("reserved");
}

const listAll = () => api.call("GET", "/v1/admin/sales?limit=200");
const getSale = (id: string) => api.call("GET", `/v1/admin/sales/${id}`);

function expectError(answer: Answer, status: number, code: string, message?: RegExp): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get("content-type")).toMatch(/application\/json/);
  expect(answer.body.error?.code).toBe(code);
  if (message) expect(answer.body.error?.message).toMatch(message);
}

describe("authentication", () => {
  const routes = (id: string): [string, string, unknown?][] => [
    ["POST", "/v1/admin/sales", validSale()],
    ["GET", "/v1/admin/sales"],
    ["GET", `/v1/admin/sales/${id}`],
    ["PATCH", `/v1/admin/sales/${id}`, { name: "stolen" }],
    ["POST", `/v1/admin/sales/${id}/start`],
    ["POST", `/v1/admin/sales/${id}/pause`],
    ["POST", `/v1/admin/sales/${id}/resume`],
    ["POST", `/v1/admin/sales/${id}/end`],
  ];

  it("refuses every endpoint without the token, with WWW-Authenticate, changing nothing", async () => {
    const sale = await createSale();
    const before = { list: await listAll(), sale: await getSale(sale.id) };
    for (const [method, path, body] of routes(sale.id)) {
      const answer = await api.call(method, path, body, { token: null });
      expectError(answer, 401, "unauthorized", /Authorization: Bearer/);
      expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="holdfast-admin"');
    }
    expect(await listAll()).toMatchObject({ body: before.list.body });
    expect((await getSale(sale.id)).body).toEqual(before.sale.body);
  });

  it("refuses a wrong token of any length, and other schemes", async () => {
    const sale = await createSale();
    const before = await getSale(sale.id);
    const wrong = [`${TOKEN.slice(0, -1)}X`, "short", `${TOKEN}extra`];
    for (const token of wrong) {
      for (const [method, path, body] of routes(sale.id)) {
        const answer = await api.call(method, path, body, { token });
        expectError(answer, 401, "unauthorized", /not valid/);
        expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
      }
    }
    const basic = await api.call("GET", "/v1/admin/sales", undefined, { token: null, headers: { authorization: `Basic ${TOKEN}` } });
    expectError(basic, 401, "unauthorized");
    expect((await getSale(sale.id)).body).toEqual(before.body);
  });

  it("accepts the right token, whatever the case of the scheme", async () => {
    const answer = await api.call("GET", "/v1/admin/sales", undefined, { token: null, headers: { authorization: `bearer ${TOKEN}` } });
    expect(answer.status).toBe(200);
  });

  it("will not serve with a weak token", () => {
    expect(() => adminSaleRoutes({ service: api.harness.service, adminToken: "too-short" })).toThrow(/at least 24 characters/);
  });
});

describe("POST /v1/admin/sales", () => {
  it("creates a draft: 201, Location, ids, config and empty live counters", async () => {
    const answer = await api.call("POST", "/v1/admin/sales", validSale());
    expect(answer.status).toBe(201);
    const id = answer.body.id as string;
    expect(id).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(answer.headers.get("location")).toBe(`/v1/admin/sales/${id}`);
    expect(answer.body).toMatchObject({
      state: "draft",
      name: "Winter drop",
      schedule: { prequeueAt: null, startsAt: null, endsAt: null },
      holdMinutes: 10,
      perCustomerLimit: 2,
      admission: { mode: "rate", perMinute: 600, maxActive: null, passMinutes: 10 },
      items: [
        { title: "Sneaker", allocation: 100, platformRef: null, available: null, held: null, sold: null },
        { title: "Cap", allocation: 50, platformRef: "gid://shopify/ProductVariant/7", available: null, held: null, sold: null },
      ],
      room: null,
    });
    expect((await getSale(id)).body).toEqual(answer.body);
  });

  it("sets a scheduled sale up in Redis at once, and takes any offset", async () => {
    const startsAt = new Date(clock.now() + 2 * HOUR);
    const local = `${new Date(startsAt.getTime() + 2 * HOUR).toISOString().slice(0, 19)}+02:00`;
    const sale = await createSale({ ...validSale(), schedule: { prequeueAt: at(HOUR), startsAt: local, endsAt: at(3 * HOUR) } });
    const answer = await getSale(sale.id);
    expect(answer.body).toMatchObject({
      state: "scheduled",
      schedule: { prequeueAt: at(HOUR), startsAt: startsAt.toISOString(), endsAt: at(3 * HOUR) },
      room: { state: "scheduled", waiting: 0, admitted: 0, prequeued: 0, issued: 0, soldOut: false },
    });
    expect((answer.body.items as ItemJson[]).map((item) => [item.allocation, item.available, item.held, item.sold])).toEqual([
      [100, 100, 0, 0],
      [50, 50, 0, 0],
    ]);
  });

  const withItem = (item: unknown) => ({ ...validSale(), items: [item] });
  it.each<[string, string | undefined, unknown, number, string, RegExp]>([
    ["malformed JSON", '{"name": "x",', undefined, 400, "invalid_json", /not valid JSON/],
    ["an array", undefined, [validSale()], 400, "invalid_request", /^body: /],
    ["a missing name", undefined, { ...validSale(), name: undefined }, 400, "invalid_request", /^name: /],
    ["a string allocation", undefined, withItem({ title: "a", allocation: "100" }), 400, "invalid_request", /^items\.0\.allocation: .*expected number/],
    ["a fractional allocation", undefined, withItem({ title: "a", allocation: 1.5 }), 400, "invalid_request", /^items\.0\.allocation: /],
    [
      "a negative allocation",
      undefined,
      withItem({ title: "a", allocation: -5 }),
      400,
      "invalid_allocation",
      /items\[0\]\.allocation must be an integer from 0/,
    ],
    ["a huge allocation", undefined, withItem({ title: "a", allocation: 1e15 }), 400, "invalid_allocation", /items\[0\]\.allocation/],
    [
      "an unsafe integer",
      '{"name":"x","items":[{"title":"a","allocation":1e300}],"holdMinutes":1,"perCustomerLimit":0,"admission":{"mode":"off"}}',
      undefined,
      400,
      "invalid_request",
      /^items\.0\.allocation: /,
    ],
    ["an unknown field", undefined, { ...validSale(), price: 10 }, 400, "invalid_request", /Unrecognized key.*price/],
    [
      "an unknown admission field",
      undefined,
      { ...validSale(), admission: { mode: "off", speed: 1 } },
      400,
      "invalid_request",
      /^admission: Unrecognized key.*speed/,
    ],
    ["an unknown item field", undefined, withItem({ title: "a", allocation: 1, sku: "x" }), 400, "invalid_request", /^items\.0: Unrecognized key.*sku/],
    ["an unknown mode", undefined, { ...validSale(), admission: { mode: "fast" } }, 400, "invalid_request", /^admission\.mode: /],
    [
      "a time without offset",
      undefined,
      { ...validSale(), schedule: { startsAt: "2030-01-01T10:00:00" } },
      400,
      "invalid_request",
      /^schedule\.startsAt: must be an ISO 8601 date-time with an offset/,
    ],
    [
      "a date that does not exist",
      undefined,
      { ...validSale(), schedule: { startsAt: "2030-02-30T10:00:00Z" } },
      400,
      "invalid_request",
      /^schedule\.startsAt/,
    ],
    [
      "the end before the start",
      undefined,
      { ...validSale(), schedule: { startsAt: at(2 * HOUR), endsAt: at(HOUR) } },
      400,
      "invalid_schedule",
      /schedule\.endsAt must be after/,
    ],
    ["a pre-queue without start", undefined, { ...validSale(), schedule: { prequeueAt: at(HOUR) } }, 400, "invalid_schedule", /prequeueAt needs/],
    ["rate mode without perMinute", undefined, { ...validSale(), admission: { mode: "rate" } }, 400, "invalid_admission", /admission\.perMinute is required/],
    [
      "capacity mode without maxActive",
      undefined,
      { ...validSale(), admission: { mode: "capacity" } },
      400,
      "invalid_admission",
      /admission\.maxActive is required/,
    ],
    ["holdMinutes 0", undefined, { ...validSale(), holdMinutes: 0 }, 400, "invalid_hold_minutes", /holdMinutes/],
    ["a negative limit", undefined, { ...validSale(), perCustomerLimit: -1 }, 400, "invalid_limit", /perCustomerLimit/],
    ["no items", undefined, { ...validSale(), items: [] }, 400, "invalid_items", /items/],
    ["a blank title", undefined, withItem({ title: " ", allocation: 1 }), 400, "invalid_item", /items\[0\]\.title/],
  ])("refuses %s and stores nothing", async (_case, raw, body, status, code, message) => {
    const before = await listAll();
    expectError(await api.call("POST", "/v1/admin/sales", body, raw === undefined ? {} : { raw }), status, code, message);
    expect((await listAll()).body).toEqual(before.body);
  });

  it("lists every refused field at once with its path, storing nothing", async () => {
    const before = await listAll();
    const answer = await api.call("POST", "/v1/admin/sales", {
      ...validSale(),
      name: " ",
      holdMinutes: 0,
      items: [
        { title: "", allocation: 1 },
        { title: "ok", allocation: -1 },
      ],
      admission: { mode: "rate" },
    });
    expectError(answer, 400, "invalid_name");
    const fields = (answer.body.error as { fields?: { path: string; code: string; message: string }[] } | undefined)?.fields ?? [];
    expect(fields.map((field) => [field.path, field.code])).toEqual([
      ["name", "invalid_name"],
      ["holdMinutes", "invalid_hold_minutes"],
      ["admission.perMinute", "invalid_admission"],
      ["items[0].title", "invalid_item"],
      ["items[1].allocation", "invalid_allocation"],
    ]);
    for (const field of fields) expect(field.message).toMatch(/\S/);
    expect((await listAll()).body).toEqual(before.body);
  });

  it("lists every field of the wrong type at once", async () => {
    const answer = await api.call("POST", "/v1/admin/sales", { ...validSale(), holdMinutes: "ten", items: [{ title: 3, allocation: "1" }] });
    expectError(answer, 400, "invalid_request");
    const fields = (answer.body.error as { fields?: { path: string }[] } | undefined)?.fields ?? [];
    expect(fields.map((field) => field.path).sort()).toEqual(["holdMinutes", "items[0].allocation", "items[0].title"]);
  });

  it("refuses a body that is not JSON (415) or too large (413), storing nothing", async () => {
    const before = await listAll();
    expectError(
      await api.call("POST", "/v1/admin/sales", undefined, { raw: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } }),
      415,
      "unsupported_media_type",
    );
    expectError(await api.call("POST", "/v1/admin/sales", { ...validSale(), name: "x".repeat(70 * 1024) }), 413, "body_too_large");
    const chunked = await sendOversized(api.base, "/v1/admin/sales", 100 * 1024);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toMatchObject({ error: { code: "body_too_large" } });
    expect((await listAll()).body).toEqual(before.body);
  });

  it("takes a full-size sale: 100 items with long titles and references", async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ title: `${"t".repeat(190)}${i}`, allocation: i, platformRef: `${"r".repeat(190)}${i}` }));
    const sale = await createSale({ ...validSale(), items });
    expect(sale.items).toHaveLength(100);
  });
});

describe("item prices", () => {
  const priced = (prices: unknown[]) => ({
    ...validSale(),
    items: prices.map((price, index) => ({ title: `Item ${index}`, allocation: 5, price })),
  });

  it("keeps a decimal price per item in its currency's decimals, unchanged by a patch that leaves it out, cleared by null", async () => {
    const created = await api.call(
      "POST",
      "/v1/admin/sales",
      priced([
        { amount: "19.99", currency: "EUR" },
        { amount: "0", currency: "EUR" },
      ]),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const items = created.body.items as (ItemJson & { price: unknown })[];
    expect(items.map((item) => item.price)).toEqual([
      { amount: "19.99", currency: "EUR" },
      { amount: "0.00", currency: "EUR" },
    ]);
    const yen = await api.call("POST", "/v1/admin/sales", priced([{ amount: "1200", currency: "JPY" }]));
    expect((yen.body.items as { price: unknown }[])[0]?.price).toEqual({ amount: "1200", currency: "JPY" });

    const renamed = await api.call("PATCH", `/v1/admin/sales/${created.body.id as string}`, {
      items: [
        { id: items[0]?.id, title: "Renamed" },
        { id: items[1]?.id, price: { amount: "5.5", currency: "EUR" } },
      ],
    });
    expect((renamed.body.items as { price: unknown }[]).map((item) => item.price)).toEqual([
      { amount: "19.99", currency: "EUR" },
      { amount: "5.50", currency: "EUR" },
    ]);
    const cleared = await api.call("PATCH", `/v1/admin/sales/${created.body.id as string}`, {
      items: items.map((item) => ({ id: item.id, price: null })),
    });
    expect((cleared.body.items as { price: unknown }[]).map((item) => item.price)).toEqual([null, null]);
  });

  it("refuses every bad price at once (400 with each field's code), storing nothing", async () => {
    const before = await listAll();
    const answer = await api.call(
      "POST",
      "/v1/admin/sales",
      priced([
        { amount: "10", currency: "EUR" },
        { amount: "-1", currency: "EUR" },
        { amount: "19.999", currency: "EUR" },
        { amount: "12.5", currency: "JPY" },
        { amount: "1e3", currency: "EUR" },
        { amount: "10", currency: "EUROS" },
        { amount: "10", currency: "USD" },
        null,
      ]),
    );
    expectError(answer, 400, "invalid_price");
    const fields = (answer.body.error as { fields?: { path: string; code: string }[] } | undefined)?.fields ?? [];
    expect(fields.map((field) => [field.path, field.code])).toEqual([
      ["items[1].price.amount", "invalid_price"],
      ["items[2].price.amount", "invalid_price"],
      ["items[3].price.amount", "invalid_price"],
      ["items[4].price.amount", "invalid_price"],
      ["items[5].price.currency", "invalid_currency"],
      ["items[6].price.currency", "invalid_currency"],
      ["items[7].price", "invalid_price"],
    ]);
    // Not even the shape of a price: the request is refused before the rules.
    expectError(await api.call("POST", "/v1/admin/sales", priced([{ amount: 19.99, currency: "EUR" }])), 400, "invalid_request");
    expect((await listAll()).body).toEqual(before.body);
  });

  it("refuses a patch that would leave the items half priced, changing nothing", async () => {
    const sale = await createSale(priced([{ amount: "10", currency: "EUR" }]));
    const before = await getSale(sale.id);
    const answer = await api.call("PATCH", `/v1/admin/sales/${sale.id}`, { items: [{ id: sale.items[0]?.id }, { title: "Unpriced", allocation: 1 }] });
    expectError(answer, 400, "invalid_price", /items\[1\]\.price is missing/);
    expect((await getSale(sale.id)).body).toEqual(before.body);
  });
});

describe("GET /v1/admin/sales", () => {
  it("lists newest first, and takes a limit", async () => {
    const older = await createSale({ ...validSale(), name: "older" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newer = await createSale({ ...validSale(), name: "newer" });
    const ids = ((await listAll()).body.sales as { id: string }[]).map((sale) => sale.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    const one = await api.call("GET", "/v1/admin/sales?limit=1");
    expect(one.status).toBe(200);
    expect(one.body.sales).toHaveLength(1);
    for (const limit of ["0", "201", "abc", "-1", "1.5"]) {
      expectError(await api.call("GET", `/v1/admin/sales?limit=${limit}`), 400, "invalid_list_limit", /limit must be an integer from 1 to 200/);
    }
  });
});

describe("GET /v1/admin/sales/:id", () => {
  it("answers 404 sale_not_found for unknown and malformed ids", async () => {
    for (const id of ["nope123456", "%7Bbad%7D", "a".repeat(65)]) {
      expectError(await getSale(id), 404, "sale_not_found");
    }
  });

  it("shows live counters: holds per item, and the room's queue", async () => {
    const sale = await createSale({ ...validSale(), perCustomerLimit: 0, admission: { mode: "off" } });
    await api.call("POST", `/v1/admin/sales/${sale.id}/start`);
    const sneaker = sale.items[0]?.id ?? "";
    await hold(sale.id, sneaker, 3);
    await api.harness.room.join(sale.id, "s1");
    const answer = await getSale(sale.id);
    expect(answer.body.items).toMatchObject([
      { id: sneaker, allocation: 100, available: 97, held: 3, sold: 0 },
      { allocation: 50, available: 50 },
    ]);
    expect(answer.body).toMatchObject({ state: "live", activeHolds: 1, room: { state: "live", waiting: 1, admitted: 0, issued: 1 } });
  });
});

describe("PATCH /v1/admin/sales/:id", () => {
  it("changes a draft's settings and items", async () => {
    const sale = await createSale();
    const answer = await api.call("PATCH", `/v1/admin/sales/${sale.id}`, {
      name: "Renamed",
      holdMinutes: 15,
      admission: { mode: "rate+capacity", maxActive: 500 },
      items: [
        { id: sale.items[1]?.id, allocation: 70 },
        { title: "Socks", allocation: 5 },
      ],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ name: "Renamed", holdMinutes: 15, admission: { mode: "rate+capacity", perMinute: 600, maxActive: 500 } });
    expect((answer.body.items as ItemJson[]).map((item) => [item.title, item.allocation])).toEqual([
      ["Cap", 70],
      ["Socks", 5],
    ]);
  });

  it("keeps the bypass policy with the sale: flag by default, set on create, changed live, read by the order processor", async () => {
    const plain = await getSale((await createSale()).id);
    expect(plain.body.bypassPolicy).toBe("flag");
    const sale = await createSale({ ...validSale(), bypassPolicy: "cancel", admission: { mode: "off" } });
    expect((await getSale(sale.id)).body.bypassPolicy).toBe("cancel");
    await api.call("POST", `/v1/admin/sales/${sale.id}/start`);
    const changed = await api.call("PATCH", `/v1/admin/sales/${sale.id}`, { bypassPolicy: "allow" });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.bypassPolicy).toBe("allow");
    expect((await new PrismaOrderRepository(api.harness.db).findSale(sale.id))?.bypassPolicy).toBe("allow");
    expectError(await api.call("PATCH", `/v1/admin/sales/${sale.id}`, { bypassPolicy: "refund" }), 400, "invalid_request", /^bypassPolicy: /);
    expect((await getSale(sale.id)).body.bypassPolicy).toBe("allow");
  });

  it("adjusts a live sale's stock and limit, keeping what is held", async () => {
    const sale = await createSale({ ...validSale(), perCustomerLimit: 0, admission: { mode: "off" } });
    await api.call("POST", `/v1/admin/sales/${sale.id}/start`);
    const [sneaker, cap] = sale.items.map((item) => item.id);
    await hold(sale.id, sneaker ?? "", 2);
    const answer = await api.call("PATCH", `/v1/admin/sales/${sale.id}`, {
      perCustomerLimit: 4,
      schedule: { endsAt: at(HOUR) },
      items: [{ id: sneaker, allocation: 40 }, { id: cap }, { title: "Hat", allocation: 3 }],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ state: "live", perCustomerLimit: 4, schedule: { endsAt: at(HOUR) } });
    expect(answer.body.items).toMatchObject([
      { id: sneaker, allocation: 40, available: 38, held: 2, sold: 0 },
      { id: cap, allocation: 50, available: 50 },
      { title: "Hat", allocation: 3, available: 3, held: 0 },
    ]);
    expect((await api.harness.holds.snapshot(sale.id))?.perCustomerLimit).toBe(4);
  });

  it("shows holdsThroughStoreOnly (off by default) and refuses it for a sale without a store or a limit, changing nothing", async () => {
    const sale = await createSale();
    expect((await getSale(sale.id)).body.holdsThroughStoreOnly).toBe(false);
    expectError(
      await api.call("PATCH", `/v1/admin/sales/${sale.id}`, { holdsThroughStoreOnly: true }),
      400,
      "invalid_holds_through_store",
      /needs a Shopify store/,
    );
    expectError(await api.call("PATCH", `/v1/admin/sales/${sale.id}`, { holdsThroughStoreOnly: "yes" }), 400, "invalid_request", /^holdsThroughStoreOnly: /);
    expectError(
      await api.call("POST", "/v1/admin/sales", { ...validSale(), holdsThroughStoreOnly: true }),
      400,
      "invalid_holds_through_store",
      /Shopify store/,
    );
    expect((await getSale(sale.id)).body.holdsThroughStoreOnly).toBe(false);
  });

  it("lists every refused field of a patch at once, changing nothing", async () => {
    const { id } = await createSale();
    const before = await api.call("GET", `/v1/admin/sales/${id}`);
    const answer = await api.call("PATCH", `/v1/admin/sales/${id}`, { name: "", holdMinutes: 500, perCustomerLimit: -3 });
    expectError(answer, 400, "invalid_name");
    const fields = (answer.body.error as { fields?: { path: string }[] } | undefined)?.fields ?? [];
    expect(fields.map((field) => field.path)).toEqual(["name", "holdMinutes", "perCustomerLimit"]);
    expect((await api.call("GET", `/v1/admin/sales/${id}`)).body).toEqual(before.body);
  });

  it("refuses bad input and conflicts, changing nothing", async () => {
    const sale = await createSale({ ...validSale(), perCustomerLimit: 0, admission: { mode: "off" } });
    await api.call("POST", `/v1/admin/sales/${sale.id}/start`);
    const [sneaker, cap] = sale.items.map((item) => item.id);
    await hold(sale.id, sneaker ?? "", 5);
    const before = await getSale(sale.id);
    const path = `/v1/admin/sales/${sale.id}`;
    const cases: [unknown, string | undefined, number, string, RegExp][] = [
      [undefined, "{", 400, "invalid_json", /JSON/],
      [{ name: 5 }, undefined, 400, "invalid_request", /^name: /],
      [{ colour: "red" }, undefined, 400, "invalid_request", /Unrecognized key.*colour/],
      [{ holdMinutes: 1000 }, undefined, 400, "invalid_hold_minutes", /holdMinutes/],
      [{ schedule: { endsAt: "tomorrow" } }, undefined, 400, "invalid_request", /^schedule\.endsAt: /],
      [{ items: [{ id: sneaker, allocation: 4 }, { id: cap }] }, undefined, 409, "allocation_below_committed", /5 unit\(s\) are already held or sold/],
      [{ items: [{ id: sneaker }] }, undefined, 409, "item_removal_not_allowed", /cannot be removed/],
      [{ items: [{ id: "unknownItem" }] }, undefined, 400, "unknown_item", /items\[0\]\.id/],
      [{ schedule: { startsAt: at(HOUR) } }, undefined, 409, "sale_started", /schedule\.startsAt cannot change .* live/],
      [{ admission: { mode: "capacity" } }, undefined, 400, "invalid_admission", /maxActive is required/],
    ];
    for (const [body, raw, status, code, message] of cases) {
      expectError(await api.call("PATCH", path, body, raw === undefined ? {} : { raw }), status, code, message);
    }
    expectError(await api.call("PATCH", "/v1/admin/sales/nope123456", { name: "x" }), 404, "sale_not_found");
    expect((await getSale(sale.id)).body).toEqual(before.body);

    await api.call("POST", `/v1/admin/sales/${sale.id}/end`);
    const ended = await getSale(sale.id);
    expectError(await api.call("PATCH", path, { name: "late" }), 409, "sale_ended", /has ended/);
    expect((await getSale(sale.id)).body).toEqual(ended.body);
  });
});

describe("POST /v1/admin/sales/:id/(start|pause|resume|end)", () => {
  it("runs the life cycle, each answer showing the new state", async () => {
    const sale = await createSale();
    const states = [];
    for (const action of ["start", "pause", "resume", "pause", "resume", "end"]) {
      const answer = await api.call("POST", `/v1/admin/sales/${sale.id}/${action}`);
      expect(answer.status).toBe(200);
      states.push(answer.body.state);
    }
    expect(states).toEqual(["live", "paused", "live", "paused", "live", "ended"]);
  });

  it("answers 409 invalid_transition naming the current state, and 404 for unknown sales", async () => {
    const sale = await createSale({ ...validSale(), schedule: { startsAt: at(HOUR) } });
    const before = await getSale(sale.id);
    expectError(await api.call("POST", `/v1/admin/sales/${sale.id}/pause`), 409, "invalid_transition", /Cannot pause a sale that is scheduled/);
    expectError(await api.call("POST", `/v1/admin/sales/${sale.id}/resume`), 409, "invalid_transition", /scheduled/);
    expect((await getSale(sale.id)).body).toEqual(before.body);
    await api.call("POST", `/v1/admin/sales/${sale.id}/end`);
    expectError(await api.call("POST", `/v1/admin/sales/${sale.id}/start`), 409, "invalid_transition", /Cannot start a sale that is ended/);
    for (const action of ["start", "pause", "resume", "end"]) {
      expectError(await api.call("POST", `/v1/admin/sales/nope123456/${action}`), 404, "sale_not_found");
    }
  });

  it("answers 405 for other methods and 404 for unknown actions", async () => {
    const sale = await createSale();
    const wrong = await api.call("GET", `/v1/admin/sales/${sale.id}/start`);
    expectError(wrong, 405, "method_not_allowed");
    expect(wrong.headers.get("allow")).toBe("POST");
    expectError(await api.call("DELETE", `/v1/admin/sales/${sale.id}`), 405, "method_not_allowed");
    expectError(await api.call("POST", `/v1/admin/sales/${sale.id}/restart`), 404, "not_found");
    expect((await getSale(sale.id)).body).toMatchObject({ state: "draft" });
  });
});

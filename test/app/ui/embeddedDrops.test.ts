import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { loader as catalogLoader } from "../../../app/routes/app.catalog.tsx";
import { loader as listLoader } from "../../../app/routes/app._index.tsx";
import { action as editAction, loader as editLoader } from "../../../app/routes/app.drops.$id.tsx";
import { action as liveAction, loader as liveLoader } from "../../../app/routes/app.drops.$id_.live.tsx";
import { loader as statsLoader } from "../../../app/routes/app.drops.$id_.stats.tsx";
import { action as newAction, loader as newLoader } from "../../../app/routes/app.drops.new.tsx";
import type { DropFormValues } from "../../../app/components/dropForm.ts";
import { startEmbedded, shopFixture, type EmbeddedHarness } from "./support/embedded.ts";

const SHOP = `ui-${Date.now().toString(36)}.myshopify.com`;
const OTHER = `ui-other-${Date.now().toString(36)}.myshopify.com`;
const REF_42 = "gid://shopify/InventoryItem/1001@gid://shopify/Location/1";
let h: EmbeddedHarness;

beforeAll(async () => {
  h = await startEmbedded([shopFixture(SHOP), shopFixture(OTHER, { ianaTimezone: "America/New_York" })]);
});
afterAll(() => h?.close());

type Answer = Record<string, unknown> & { error?: { code: string; message: string } };
const args = (request: Request, params: Record<string, string> = {}) => ({ request, context: h.context, params });
const json = async (response: unknown) => (await (response as Response).json()) as Answer;
const post = (shop: string, path: string, payload: unknown) =>
  h.request(shop, path, {
    method: "POST",
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
    headers: { "content-type": "application/json" },
  });
const postForm = (shop: string, path: string, fields: Record<string, string>) => h.request(shop, path, { method: "POST", body: new URLSearchParams(fields) });

function dropForm(overrides: Partial<DropFormValues> = {}): DropFormValues {
  return {
    name: "Winter drop",
    timeZone: "Europe/Berlin",
    startsAt: "2030-01-15T18:00",
    endsAt: "",
    prequeueMinutes: "15",
    holdMinutes: "10",
    perCustomerLimit: "2",
    admissionMode: "rate",
    perMinute: "600",
    maxActive: "",
    bypassPolicy: "cancel",
    failPolicy: "auto",
    holdsThroughStoreOnly: false,
    items: [{ title: "Sneaker - 42", allocation: "30", platformRef: REF_42 }],
    ...overrides,
  };
}

/** Creates a drop through the page's action; returns its id (from the redirect to its live page). */
async function createDrop(shop = SHOP, overrides: Partial<DropFormValues> = {}): Promise<string> {
  const response = (await newAction(args(post(shop, "/app/drops/new", dropForm(overrides))))) as Response;
  expect(response.status, await response.clone().text()).toBe(302);
  const id = /\/app\/drops\/([A-Za-z0-9]+)\/live/.exec(response.headers.get("location") ?? "")?.[1];
  expect(id).toBeDefined();
  return id!;
}

async function thrown(run: () => Promise<unknown>): Promise<Response> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("expected a thrown response");
}

const saleCount = () => h.sales.db.sale.count();

describe("drops list and create form", () => {
  it("lists nothing for a new shop, in its time zone", async () => {
    expect(await json(await listLoader(args(h.request(OTHER, "/app"))))).toEqual({ drops: [], timeZone: "America/New_York" });
  });

  it("still lists the drops, in UTC, when Shopify does not answer", async () => {
    h.standIn.shop(OTHER).failWith = 503;
    try {
      expect(await json(await listLoader(args(h.request(OTHER, "/app"))))).toEqual({ drops: [], timeZone: "UTC" });
    } finally {
      h.standIn.shop(OTHER).failWith = undefined;
    }
  });

  it("starts the create form empty, in the shop's time zone", async () => {
    const answer = await json(await newLoader(args(h.request(OTHER, "/app/drops/new"))));
    expect(answer.initial).toMatchObject({ timeZone: "America/New_York", items: [], admissionMode: "rate" });
  });

  it("refuses a request without a valid session token (nothing read)", async () => {
    const forged = new Request("https://holdfast.test/app", { headers: { authorization: "Bearer not.a.token" } });
    const response = await thrown(() => listLoader(args(forged)));
    expect(response.status).toBe(401);
  });
});

describe("product picker", () => {
  it("searches products by title", async () => {
    const search = await json(await catalogLoader(args(h.request(SHOP, "/app/catalog?q=snea"))));
    expect((search.products as { title: string; variants: unknown[] }[]).map((product) => [product.title, product.variants.length])).toEqual([["Sneaker", 2]]);
  });

  it("turns picked variants into rows: stock unit at the location with the most available, allocation = that stock", async () => {
    const ids = ["gid://shopify/ProductVariant/101", "gid://shopify/ProductVariant/102", "gid://shopify/ProductVariant/201"].join(",");
    const rows = await json(await catalogLoader(args(h.request(SHOP, `/app/catalog?variants=${encodeURIComponent(ids)}`))));
    expect(rows.items).toEqual([
      { title: "Sneaker - 42", allocation: "30", platformRef: REF_42, note: "Warehouse: 30 available" },
      {
        title: "Sneaker - 43",
        allocation: "12",
        platformRef: "gid://shopify/InventoryItem/1002@gid://shopify/Location/2",
        note: "Shop floor: 12 available (keeps selling when out of stock!)",
      },
      {
        title: "Cap",
        allocation: "8",
        platformRef: "gid://shopify/InventoryItem/2001@gid://shopify/Location/1",
        note: "Warehouse: 8 available (inventory not tracked!)",
      },
    ]);
  });

  it("answers a bad variant id with a 400 JSON error and calls nothing", async () => {
    const before = h.standIn.received.length;
    const response = (await catalogLoader(args(h.request(SHOP, "/app/catalog?variants=gid://shopify/Product/1")))) as Response;
    expect(response.status).toBe(400);
    expect((await json(response)).error?.code).toBe("invalid_variant");
    expect(h.standIn.received.length).toBe(before);
  });

  it("tells the merchant to retry when Shopify fails", async () => {
    h.standIn.shop(OTHER).failWith = 503;
    try {
      const response = (await catalogLoader(args(h.request(OTHER, "/app/catalog?q=cap")))) as Response;
      expect(response.status).toBe(502);
      expect((await json(response)).error).toMatchObject({ code: "shopify_unavailable", message: expect.stringMatching(/try again/) });
    } finally {
      h.standIn.shop(OTHER).failWith = undefined;
    }
  });
});

describe("saving a drop", () => {
  it("writes SQL, sets the drop up in Redis with its schedule in the shop's zone, and keeps the bypass policy", async () => {
    const id = await createDrop();
    const details = await h.sales.service.get(id);
    // 18:00 in Berlin in January is 17:00 UTC; the pre-queue opens 15 minutes before.
    expect(details.sale.schedule).toEqual({ startsAt: Date.UTC(2030, 0, 15, 17), prequeueAt: Date.UTC(2030, 0, 15, 16, 45), endsAt: null });
    expect(details.sale.state).toBe("scheduled");
    expect(details.sale.items).toMatchObject([{ title: "Sneaker - 42", allocation: 30, platformRef: REF_42 }]);
    expect(Object.values(details.counters)).toEqual([{ allocated: 30, available: 30, held: 0, sold: 0 }]);
    expect((await h.sales.db.sale.findUnique({ where: { id } }))?.bypassPolicy).toBe("cancel");
    const store = await h.sales.db.store.findUnique({ where: { platform_domain: { platform: "shopify", domain: SHOP } } });
    expect(details.sale.storeId).toBe(store?.id);
  });

  it("publishes every scheduled and running drop of the shop to the app's metafield the theme's app embed reads", async () => {
    const id = await createDrop(SHOP, {
      items: [
        { title: "Sneaker - 42", allocation: "30", platformRef: REF_42 },
        { title: "Cap", allocation: "8", platformRef: "gid://shopify/InventoryItem/2001@gid://shopify/Location/1" },
      ],
    });
    const { sale } = await h.sales.service.get(id);
    const published = () =>
      JSON.parse(h.standIn.shop(SHOP).appMetafields?.["holdfast.drop"] ?? "null") as { drops: { sale: string; fail: string; items: Record<string, string> }[] };
    expect(published().drops).toContainEqual({ sale: id, fail: "open", items: { "101": sale.items[0]!.id, "201": sale.items[1]!.id } });
    // Several drops at once: a second one joins the list, the first stays.
    const other = await createDrop(SHOP);
    expect(published().drops.map((drop) => drop.sale)).toEqual(expect.arrayContaining([id, other]));
    const loaded = (await json(await editLoader(args(h.request(SHOP, `/app/drops/${id}`), { id })))) as { initial: DropFormValues };
    const edited = (await editAction(args(post(SHOP, `/app/drops/${id}`, { ...loaded.initial, name: "Renamed" }), { id }))) as Response;
    expect(await json(edited)).toEqual({ saved: true });
    expect(published().drops.map((drop) => drop.sale)).toEqual(expect.arrayContaining([id, other]));
    // Another shop's drops never show up here.
    const foreign = await createDrop(OTHER);
    expect(published().drops.map((drop) => drop.sale)).not.toContain(foreign);
  });

  it("uses the shop's time zone whatever the browser sent", async () => {
    const id = await createDrop(SHOP, { timeZone: "Asia/Tokyo" });
    expect((await h.sales.service.get(id)).sale.schedule.startsAt).toBe(Date.UTC(2030, 0, 15, 17));
  });

  it.each([
    ["holdMinutes", { holdMinutes: "0" }, "holdMinutes", /Hold ?minutes must be an integer from 1 to 120/i],
    ["a word for minutes", { perCustomerLimit: "two" }, "perCustomerLimit", /enter a whole number/],
    ["a missing rate", { perMinute: "" }, "perMinute", /shoppers per minute is required/i],
    ["an end before the start", { endsAt: "2030-01-15T17:00" }, "endsAt", /the end must be after the start/i],
    ["a time the clocks skip", { startsAt: "2030-03-31T02:30" }, "startsAt", /does not exist in Europe\/Berlin/],
    [
      "an allocation below zero",
      { items: [{ title: "Sneaker", allocation: "-1", platformRef: REF_42 }] },
      "items.0.allocation",
      /The units allocated must be an integer from 0/,
    ],
    ["a nameless drop", { name: " " }, "name", /The drop name must be 1-200 characters/],
  ])("refuses %s with 422, the field's message, and no drop", async (_label, overrides, field, message) => {
    const before = await saleCount();
    const response = (await newAction(args(post(SHOP, "/app/drops/new", dropForm(overrides as Partial<DropFormValues>))))) as Response;
    expect(response.status).toBe(422);
    const { error: problem } = (await json(response)) as { error: { code: string; message: string; fields: Record<string, string> } };
    expect(problem.fields[field]).toMatch(message);
    expect(await saleCount()).toBe(before);
  });

  it("refuses every wrong field at once, in the form's words, and makes no drop", async () => {
    const before = await saleCount();
    const form = dropForm({ name: " ", holdMinutes: "0", perCustomerLimit: "two", endsAt: "2030-01-15T17:00", items: [] });
    const response = (await newAction(args(post(SHOP, "/app/drops/new", form)))) as Response;
    expect(response.status).toBe(422);
    const { error: problem } = (await json(response)) as { error: { code: string; message: string; fields: Record<string, string> } };
    expect(problem.fields).toEqual({
      perCustomerLimit: 'Limit per customer: enter a whole number (you entered "two").',
      name: "The drop name must be 1-200 characters, without control characters.",
      endsAt: "The end must be after the start.",
      holdMinutes: "Hold minutes must be an integer from 1 to 120.",
      items: "Products: add at least one product (at most 100).",
    });
    expect([problem.message, ...Object.values(problem.fields)].join(" ")).not.toMatch(/\bitems?\b/i);
    expect(await saleCount()).toBe(before);
  });

  it("refuses a malformed body with 400 invalid_form", async () => {
    const before = await saleCount();
    for (const payload of ["not json", JSON.stringify({ ...dropForm(), admissionMode: "everyone" }), JSON.stringify({ ...dropForm(), extra: 1 })]) {
      const response = (await newAction(args(post(SHOP, "/app/drops/new", payload)))) as Response;
      expect(response.status).toBe(400);
      expect(((await json(response)) as { error: { code: string } }).error.code).toBe("invalid_form");
    }
    expect(await saleCount()).toBe(before);
  });

  it("edits: shows the drop as stored, applies only what changed, and refuses a change the started drop forbids", async () => {
    const id = await createDrop();
    const loaded = (await json(await editLoader(args(h.request(SHOP, `/app/drops/${id}`), { id })))) as { initial: DropFormValues; state: string };
    expect(loaded.initial).toMatchObject({ startsAt: "2030-01-15T18:00", prequeueMinutes: "15", bypassPolicy: "cancel" });
    await h.sales.service.start(id);
    // The same form with a new name and allocation: the untouched start is not sent, so a live drop accepts it.
    const changed = {
      ...loaded.initial,
      name: "Winter drop (final)",
      bypassPolicy: "flag" as const,
      items: loaded.initial.items.map((item) => ({ ...item, allocation: "25" })),
    };
    const saved = (await editAction(args(post(SHOP, `/app/drops/${id}`, changed), { id }))) as Response;
    expect(await json(saved)).toEqual({ saved: true });
    const details = await h.sales.service.get(id);
    expect(details.sale.name).toBe("Winter drop (final)");
    expect(Object.values(details.counters)[0]?.allocated).toBe(25);
    expect((await h.sales.db.sale.findUnique({ where: { id } }))?.bypassPolicy).toBe("flag");

    const moved = (await editAction(args(post(SHOP, `/app/drops/${id}`, { ...changed, startsAt: "2030-02-01T10:00" }), { id }))) as Response;
    expect(moved.status).toBe(409);
    expect(((await json(moved)) as { error: { code: string } }).error.code).toBe("sale_started");
    expect((await h.sales.service.get(id)).sale.schedule.startsAt).toBe(Date.UTC(2030, 0, 15, 17));
  });

  it("hides another shop's drop: 404 on read, nothing changed on write", async () => {
    const id = await createDrop(OTHER);
    const response = await thrown(() => editLoader(args(h.request(SHOP, `/app/drops/${id}`), { id })));
    expect(response.status).toBe(404);
    expect((await json(response)).error?.code).toBe("sale_not_found");
    const write = await thrown(() => editAction(args(post(SHOP, `/app/drops/${id}`, dropForm({ name: "Hijacked" })), { id })));
    expect(write.status).toBe(404);
    const control = (await liveAction(args(postForm(SHOP, `/app/drops/${id}/live`, { intent: "end" }), { id }))) as Response;
    expect(control.status).toBe(404);
    const sale = (await h.sales.service.get(id)).sale;
    expect([sale.name, sale.state]).toEqual(["Winter drop", "scheduled"]);
    const listed = (await json(await listLoader(args(h.request(SHOP, "/app"))))) as { drops: { id: string }[] };
    expect(listed.drops.map((drop) => drop.id)).not.toContain(id);
  });
});

describe("live dashboard", () => {
  it("runs start, pause, rate change, queue everyone, resume and end, each visible in the numbers", async () => {
    const id = await createDrop(SHOP, { admissionMode: "off", perMinute: "", startsAt: "" });
    const control = async (fields: Record<string, string>) => {
      const response = (await liveAction(args(postForm(SHOP, `/app/drops/${id}/live`, fields), { id }))) as Response;
      return { status: response.status, body: await json(response) };
    };
    const live = async () =>
      (await json(await liveLoader(args(h.request(SHOP, `/app/drops/${id}/live`), { id })))) as {
        state: string;
        admission: { mode: string; perMinute: number | null };
        allocated: number;
        remaining: number;
      };

    expect((await live()).state).toBe("draft");
    expect(await control({ intent: "start" })).toEqual({ status: 200, body: { ok: true } });
    expect(await live()).toMatchObject({ state: "live", allocated: 30, remaining: 30 });
    expect((await control({ intent: "queueEveryone", perMinute: "120" })).status).toBe(200);
    expect((await live()).admission).toMatchObject({ mode: "rate", perMinute: 120 });
    expect((await control({ intent: "setRate", perMinute: "900" })).status).toBe(200);
    expect((await live()).admission.perMinute).toBe(900);
    expect((await control({ intent: "pause" })).status).toBe(200);
    expect((await live()).state).toBe("paused");
    expect((await control({ intent: "resume" })).status).toBe(200);
    expect((await control({ intent: "end" })).status).toBe(200);
    expect((await live()).state).toBe("ended");
  });

  it("answers a refused control with 409/400 JSON and changes nothing", async () => {
    const id = await createDrop();
    const paused = (await liveAction(args(postForm(SHOP, `/app/drops/${id}/live`, { intent: "pause" }), { id }))) as Response;
    expect(paused.status).toBe(409);
    expect((await json(paused)).error).toMatchObject({ code: "invalid_transition", message: expect.stringMatching(/only a live sale can be paused/) });
    const unknown = (await liveAction(args(postForm(SHOP, `/app/drops/${id}/live`, { intent: "explode" }), { id }))) as Response;
    expect(unknown.status).toBe(400);
    const badRate = (await liveAction(args(postForm(SHOP, `/app/drops/${id}/live`, { intent: "setRate", perMinute: "0" }), { id }))) as Response;
    expect(badRate.status).toBe(400);
    const sale = (await h.sales.service.get(id)).sale;
    expect([sale.state, sale.admission.perMinute]).toEqual(["scheduled", 600]);
  });

  it("reports the numbers and records one chart sample per interval however often it is polled", async () => {
    const id = await createDrop(SHOP, { startsAt: "", admissionMode: "off", perMinute: "" });
    await h.sales.service.start(id);
    const itemId = (await h.sales.service.get(id)).sale.items[0]!.id;
    const reserved = await h.sales.holds.reserve(id, { lines: [{ itemId, quantity: 2 }], customerId: "c1", ttlMs: 600_000, requestId: "r1" });
    expect(reserved.outcome).toBe("reserved");
    const stats = async () =>
      (await json(await statsLoader(args(h.request(SHOP, `/app/drops/${id}/stats`), { id })))) as {
        activeHolds: number;
        held: number;
        remaining: number;
        sold: number;
        series: unknown[];
        writeBack: unknown;
      };
    const first = await stats();
    expect(first).toMatchObject({ activeHolds: 1, held: 2, remaining: 28, sold: 0 });
    expect(first.writeBack).toMatchObject({ lagSeconds: expect.any(Number), breaker: null, refused: 0 });
    await stats();
    await stats();
    expect((await stats()).series).toHaveLength(1);
  });

  it("shows the worker's circuit breaker for the drop's store when the worker runs in this process", async () => {
    const id = await createDrop();
    const storeId = (await h.sales.service.get(id)).sale.storeId!;
    const breakers = () => [
      { storeId: "someone-else", platform: "shopify" as const, state: "closed" as const, retryAfterMs: 0 },
      { storeId, platform: "shopify" as const, state: "open" as const, retryAfterMs: 5_000 },
    ];
    const context = { holdfast: { ...h.context.holdfast, breakers } } as typeof h.context;
    const answer = (await (await statsLoader({ request: h.request(SHOP, `/app/drops/${id}/stats`), context, params: { id } })).json()) as {
      writeBack: { breaker: string };
    };
    expect(answer.writeBack.breaker).toBe("open");
    const quiet = { holdfast: { ...h.context.holdfast, breakers: () => [] } } as typeof h.context;
    const closed = (await (await statsLoader({ request: h.request(SHOP, `/app/drops/${id}/stats`), context: quiet, params: { id } })).json()) as {
      writeBack: { breaker: string };
    };
    expect(closed.writeBack.breaker).toBe("closed");
  });
});

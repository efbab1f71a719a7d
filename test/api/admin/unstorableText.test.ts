import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ManualClock } from "../../support/redis.ts";
import { startAdminApi, type AdminApi } from "./adminClient.ts";

// Issue #12, failure 8: a lone surrogate in a sale name or item title passed the text check
// and SQLite then threw, so the admin API answered 500. Text that cannot be stored is bad input.

let api: AdminApi;
beforeAll(async () => {
  api = await startAdminApi(new ManualClock());
});
afterAll(() => api?.close());

const sale = (name: string, title = "Sneaker") => ({
  name,
  items: [{ title, allocation: 10 }],
  holdMinutes: 10,
  perCustomerLimit: 2,
  admission: { mode: "off" },
});

describe("text a sale cannot store", () => {
  it.each([
    ["a lone high surrogate in the name", sale("Drop \ud800"), "invalid_name"],
    ["a lone low surrogate in the name", sale("\udc00 Drop"), "invalid_name"],
    ["a reversed pair in an item title", sale("Drop", "Shoe \udc00\ud800"), "invalid_item"],
    ["a NUL in an item title", sale("Drop", "Shoe\u0000"), "invalid_item"],
  ])("refuses %s with 400 and stores nothing", async (_case, body, code) => {
    const before = (await api.call("GET", "/v1/admin/sales?limit=200")).body;
    const answer = await api.call("POST", "/v1/admin/sales", body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error?.code).toBe(code);
    expect(answer.body.error?.message).toMatch(/unpaired surrogate|control characters/);
    expect((await api.call("GET", "/v1/admin/sales?limit=200")).body).toEqual(before);
  });

  it("refuses a lone surrogate in a rename, keeps the name, and still takes real emoji", async () => {
    const created = await api.call("POST", "/v1/admin/sales", sale("Sneaker drop 👟", "Left 👟"));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = String(created.body.id);
    const renamed = await api.call("PATCH", `/v1/admin/sales/${id}`, { name: "Renamed \ud83d" });
    expect(renamed).toMatchObject({ status: 400, body: { error: { code: "invalid_name" } } });
    expect((await api.call("GET", `/v1/admin/sales/${id}`)).body).toMatchObject({ name: "Sneaker drop 👟", items: [{ title: "Left 👟" }] });
  });
});

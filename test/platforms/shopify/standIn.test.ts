import { setTimeout as sleep } from "node:timers/promises";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { INVENTORY_SET_QUANTITIES } from "../../../app/platforms/shopify/documents.ts";
import { SHOPIFY_API_VERSION } from "../../../app/platforms/shopify/index.ts";
import { SHOP, shopifyRig, TOKEN, type Rig } from "../../support/shopify/adapter.ts";
import { gid } from "../../support/shopify/standIn.ts";

let rig: Rig;
beforeEach(async () => {
  rig = await shopifyRig({ maximumAvailable: 100, restoreRate: 50 });
});
afterEach(() => rig.close());

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown>;
    errors?: { message: string; extensions?: Record<string, unknown> }[] | string;
    extensions?: { cost: { requestedQueryCost: number; actualQueryCost: number | null; throttleStatus: Record<string, number> } };
  };
}

async function post(query: string, variables: Record<string, unknown> = {}, token = TOKEN): Promise<Answer> {
  const response = await rig.standIn.fetch(`https://${SHOP}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": token },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

function setVariables(options: { key?: string; quantity?: number; changeFrom?: number | null; omitChangeFrom?: boolean; count?: number } = {}) {
  const { itemId, locationId } = { itemId: 1, locationId: 1 };
  const quantities = Array.from({ length: options.count ?? 1 }, (_, i) => ({
    inventoryItemId: gid("InventoryItem", itemId + i),
    locationId: gid("Location", locationId),
    quantity: options.quantity ?? 5,
    ...(options.omitChangeFrom ? {} : { changeFromQuantity: options.changeFrom === undefined ? null : options.changeFrom }),
  }));
  return { idempotencyKey: options.key ?? "key-1", input: { name: "available", reason: "correction", quantities } };
}

const userErrors = (answer: Answer) => (answer.body.data?.inventorySetQuantities as { userErrors: { code: string | null }[] } | undefined)?.userErrors ?? [];

describe("Shopify stand-in: the documented contract", () => {
  beforeEach(() => {
    rig.shop.stock({ item: 1, location: 1, available: 10 });
    rig.shop.stock({ item: 2, location: 1, available: 10 });
  });

  it("refuses a wrong or missing access token with 401 and Shopify's message", async () => {
    for (const token of ["", "shpat_wrong"]) {
      const answer = await post("{ shop { id } }", {}, token);
      expect(answer.status).toBe(401);
      expect(answer.body.errors).toBe("[API] Invalid API key or access token (unrecognized login or wrong password)");
    }
  });

  it("answers an invalid document with 200 and errors, executing nothing", async () => {
    const answer = await post('{ inventoryItem(id: "gid://shopify/InventoryItem/1") { id quantityy } }');
    expect(answer.status).toBe(200);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining("quantityy") })]);
  });

  it("coerces variables by the schema: compareQuantity (gone in 2026-04) is refused", async () => {
    const variables = setVariables();
    const quantity = { ...variables.input.quantities[0], compareQuantity: 10 };
    const answer = await post(INVENTORY_SET_QUANTITIES.document, { ...variables, input: { ...variables.input, quantities: [quantity] } });
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining("compareQuantity"), extensions: expect.objectContaining({ code: "INVALID_VARIABLE" }) }),
    ]);
    expect(rig.shop.level(1, 1)?.available).toBe(10);
  });

  it("puts extensions.cost with the throttle status on every executed answer", async () => {
    const answer = await post(INVENTORY_SET_QUANTITIES.document, setVariables());
    expect(answer.body.extensions?.cost).toEqual({
      requestedQueryCost: 10,
      actualQueryCost: 10,
      throttleStatus: { maximumAvailable: 100, currentlyAvailable: expect.any(Number), restoreRate: 50 },
    });
    // Full (100) less the 10 charged, plus whatever refilled while it ran (all of it, on a slow machine).
    const left = answer.body.extensions!.cost.throttleStatus.currentlyAvailable!;
    expect(left).toBeGreaterThanOrEqual(90);
    expect(left).toBeLessThanOrEqual(100);
  });

  it("answers Throttled exactly as Shopify does when the bucket cannot afford the request, and does not execute it", async () => {
    rig.shop.bucket.restoreRate = 0.5; // slow enough that nothing refills during the test
    rig.shop.drain(5);
    const answer = await post(INVENTORY_SET_QUANTITIES.document, setVariables({ quantity: 7 }));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
      extensions: {
        cost: { requestedQueryCost: 10, actualQueryCost: null, throttleStatus: { maximumAvailable: 100, currentlyAvailable: 5, restoreRate: 0.5 } },
      },
    });
    expect(rig.shop.level(1, 1)?.available).toBe(10);
    expect(rig.shop.stats.throttled).toBe(1);
    rig.shop.drain(10); // refilled
    expect((await post(INVENTORY_SET_QUANTITIES.document, setVariables({ quantity: 7 }))).body.data).toBeDefined();
    expect(rig.shop.level(1, 1)?.available).toBe(7);
  });

  it("requires @idempotent on inventory mutations from 2026-04", async () => {
    const withoutKey = INVENTORY_SET_QUANTITIES.document.replace(" @idempotent(key: $idempotencyKey)", "").replace(", $idempotencyKey: String!", "");
    const { idempotencyKey: _unused, ...variables } = setVariables();
    const answer = await post(withoutKey, variables);
    expect(answer.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining("@idempotent") })]);
    expect(rig.shop.level(1, 1)?.available).toBe(10);
    const blank = await post(INVENTORY_SET_QUANTITIES.document, setVariables({ key: "  " }));
    expect(blank.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining("empty") })]);
  });

  it("applies a key once: a replay answers the first result; other parameters under the key are refused", async () => {
    const first = await post(INVENTORY_SET_QUANTITIES.document, setVariables({ quantity: 4 }));
    rig.shop.level(1, 1)!.available = 9; // someone sells one meanwhile
    const replay = await post(INVENTORY_SET_QUANTITIES.document, setVariables({ quantity: 4 }));
    expect(replay.body.data).toEqual(first.body.data);
    expect(rig.shop.level(1, 1)?.available).toBe(9);
    expect(rig.shop.stats.replays).toBe(1);
    const mismatch = await post(INVENTORY_SET_QUANTITIES.document, setVariables({ quantity: 3 }));
    expect(userErrors(mismatch).map((error) => error.code)).toEqual(["IDEMPOTENCY_KEY_PARAMETER_MISMATCH"]);
    expect(rig.shop.level(1, 1)?.available).toBe(9);
  });

  it("answers IDEMPOTENCY_CONCURRENT_REQUEST while the first request under a key is still running", async () => {
    rig.shop.mutationDelayMs = 300;
    const first = post(INVENTORY_SET_QUANTITIES.document, setVariables({ quantity: 2 }));
    while (!rig.shop.idempotency.has("key-1")) await sleep(2); // the first one is running
    const [a, b] = await Promise.all([first, post(INVENTORY_SET_QUANTITIES.document, setVariables({ quantity: 2 }))]);
    expect(userErrors(a)).toEqual([]);
    expect(userErrors(b).map((error) => error.code)).toEqual(["IDEMPOTENCY_CONCURRENT_REQUEST"]);
    expect(rig.shop.level(1, 1)?.available).toBe(2);
  });

  it("requires changeFromQuantity on every quantity (null is fine) and refuses a stale one, applying nothing", async () => {
    const missing = await post(INVENTORY_SET_QUANTITIES.document, setVariables({ omitChangeFrom: true }));
    expect(userErrors(missing)).toEqual([expect.objectContaining({ message: expect.stringContaining("changeFromQuantity") })]);
    const stale = await post(INVENTORY_SET_QUANTITIES.document, setVariables({ key: "key-2", changeFrom: 11, count: 2 }));
    expect(userErrors(stale).map((error) => error.code)).toEqual(["CHANGE_FROM_QUANTITY_STALE", "CHANGE_FROM_QUANTITY_STALE"]);
    const partlyStale = await post(INVENTORY_SET_QUANTITIES.document, {
      ...setVariables({ key: "key-3" }),
      input: {
        name: "available",
        reason: "correction",
        quantities: [
          { inventoryItemId: gid("InventoryItem", 1), locationId: gid("Location", 1), quantity: 1, changeFromQuantity: 10 },
          { inventoryItemId: gid("InventoryItem", 2), locationId: gid("Location", 1), quantity: 1, changeFromQuantity: 9 },
        ],
      },
    });
    expect(userErrors(partlyStale).map((error) => error.code)).toEqual(["CHANGE_FROM_QUANTITY_STALE"]);
    expect([rig.shop.level(1, 1)?.available, rig.shop.level(2, 1)?.available]).toEqual([10, 10]);
    const retried = await post(INVENTORY_SET_QUANTITIES.document, setVariables({ key: "key-2", changeFrom: 11, count: 2 }));
    expect(userErrors(retried).map((error) => error.code)).toEqual(["IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"]);
  });

  it("refuses unknown items and locations, and items not stocked at the location", async () => {
    rig.shop.locations.add(2);
    const variables = setVariables({ key: "k-nf" });
    variables.input.quantities = [
      { inventoryItemId: gid("InventoryItem", 99), locationId: gid("Location", 1), quantity: 1, changeFromQuantity: null },
      { inventoryItemId: gid("InventoryItem", 1), locationId: gid("Location", 77), quantity: 1, changeFromQuantity: null },
      { inventoryItemId: gid("InventoryItem", 2), locationId: gid("Location", 2), quantity: 1, changeFromQuantity: null },
    ];
    const answer = await post(INVENTORY_SET_QUANTITIES.document, variables);
    expect(userErrors(answer).map((error) => error.code)).toEqual(["INVALID_INVENTORY_ITEM", "INVALID_LOCATION", "ITEM_NOT_STOCKED_AT_LOCATION"]);
  });

  it("refuses input lists over 250 entries before running anything", async () => {
    const answer = await post(INVENTORY_SET_QUANTITIES.document, setVariables({ count: 251 }));
    expect(answer.body.errors).toEqual([
      expect.objectContaining({
        message: "The input array size of 251 is greater than the maximum allowed of 250.",
        extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
      }),
    ]);
  });

  it("refuses a request costing over 1000 points", async () => {
    const ids = Array.from({ length: 200 }, (_, i) => gid("InventoryItem", i + 1));
    const answer = await post("query Big($ids: [ID!]!) { nodes(ids: $ids) { ... on InventoryItem { id variants(first: 5) { nodes { id } } } } }", { ids });
    expect(answer.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "MAX_COST_EXCEEDED", cost: 1600 }) })]);
  });

  it("fails on request while told to, and counts what it saw", async () => {
    rig.shop.failNext(2, "http503");
    expect((await post("{ shop { id } }")).status).toBe(503);
    expect((await post("{ shop { id } }")).status).toBe(503);
    const answer = await post("{ shop { id } }");
    expect(answer.status).toBe(200);
    // Not implemented by the stand-in: loud, never silently null.
    expect(answer.body.errors).toEqual([expect.objectContaining({ message: "the stand-in does not implement QueryRoot.shop" })]);
    expect(rig.shop.stats).toMatchObject({ requests: 3, failed: 2, throttled: 0 });
  });
});

import { parse, validate } from "graphql";
import { describe, expect, it } from "vitest";

import { newKeyring, rotate } from "../../../app/core/secrets/signingKeys.ts";
import { gateConfig, type ResolvedDrop } from "../../../app/drops/gate/gateConfig.ts";
import { MAX_HASHED_BYTES, run } from "../../../extensions/checkout-gate/src/run.ts";
import type { RunResult } from "../../../extensions/checkout-gate/src/types.ts";
import { checkoutGateSchema } from "../../support/shopify/functionSchema.ts";
import { expectConformingInput, expectValidResult, gateInput, holdToken, INPUT_QUERY, type CartLineSpec } from "./gateInput.ts";

// Two drops of one shop: A sells variants 101 (item "itemA1") and 102 ("itemA2"), B sells 201.
const keyring = newKeyring();
const dropA: ResolvedDrop = { saleId: "saleA", state: "live", variants: { "101": "itemA1", "102": "itemA2" } };
const dropB: ResolvedDrop = { saleId: "saleB", state: "paused", variants: { "201": "itemB1" } };
const config = gateConfig(keyring, [dropA, dropB]);

async function gate(lines: CartLineSpec[], withConfig: unknown = config, options: { language?: string; date?: string } = {}): Promise<RunResult> {
  const input = gateInput(lines, withConfig, options);
  await expectConformingInput(input);
  const result = run(input);
  expectValidResult(result);
  return result;
}

const errorsOf = (result: RunResult) => result.operations.flatMap((operation) => operation.validationAdd.errors);
const targets = (result: RunResult) => errorsOf(result).map((error) => error.target);

describe("the checkout gate", () => {
  it("lets a held line through", async () => {
    const token = holdToken(keyring, "saleA", [{ i: "itemA1", q: 2 }]);
    expect(await gate([{ variant: 101, quantity: 2, token }])).toEqual({ operations: [] });
  });

  it("refuses a drop line with no token, on that line's quantity, in plain words", async () => {
    const result = await gate([
      { variant: 999, quantity: 1 },
      { variant: 101, quantity: 1 },
    ]);
    expect(errorsOf(result)).toEqual([{ target: "$.cart.lines[1].quantity", message: expect.stringMatching(/waiting room/) }]);
  });

  it("refuses a forged token: other secret, edited claims, another algorithm", async () => {
    const forged = holdToken({ current: { kid: keyring.current.kid, secret: Buffer.alloc(32, 7) }, previous: [] }, "saleA", [{ i: "itemA1", q: 1 }]);
    const real = holdToken(keyring, "saleA", [{ i: "itemA1", q: 1 }]);
    const [header, , signature] = real.split(".") as [string, string, string];
    const raised = `${header}.${Buffer.from(JSON.stringify({ typ: "hold", s: "saleA", h: "x", sh: "s", iat: 1, exp: 9e9, ln: [{ i: "itemA1", q: 50 }] })).toString("base64url")}.${signature}`;
    const none = `${Buffer.from(JSON.stringify({ alg: "none", kid: keyring.current.kid })).toString("base64url")}.${real.split(".")[1]}.`;
    for (const token of [forged, raised, none, "not-a-token"]) {
      const result = await gate([{ variant: 101, quantity: 1, token }]);
      expect(errorsOf(result), token).toEqual([{ target: "$.cart.lines[0].quantity", message: expect.stringMatching(/could not be verified/) }]);
    }
  });

  it("refuses a token signed for another variant or another sale", async () => {
    const otherItem = holdToken(keyring, "saleA", [{ i: "itemA2", q: 1 }]);
    const otherSale = holdToken(keyring, "saleB", [{ i: "itemA1", q: 1 }]);
    for (const token of [otherItem, otherSale]) {
      const result = await gate([{ variant: 101, quantity: 1, token }]);
      expect(errorsOf(result)).toEqual([{ target: "$.cart.lines[0].quantity", message: expect.stringMatching(/another product or drop/) }]);
    }
  });

  it("refuses a token signed with another shop's key", async () => {
    const token = holdToken(newKeyring(), "saleA", [{ i: "itemA1", q: 1 }]);
    expect(targets(await gate([{ variant: 101, quantity: 1, token }]))).toEqual(["$.cart.lines[0].quantity"]);
  });

  it("keeps honouring a hold signed before a key rotation, and stops two rotations later", async () => {
    const token = holdToken(keyring, "saleA", [{ i: "itemA1", q: 1 }]);
    const once = rotate(keyring);
    expect(await gate([{ variant: 101, quantity: 1, token }], gateConfig(once, [dropA]))).toEqual({ operations: [] });
    const fresh = holdToken(once, "saleA", [{ i: "itemA1", q: 1 }]);
    expect(await gate([{ variant: 101, quantity: 1, token: fresh }], gateConfig(once, [dropA]))).toEqual({ operations: [] });
    const thrice = rotate(rotate(once));
    expect(targets(await gate([{ variant: 101, quantity: 1, token }], gateConfig(thrice, [dropA])))).toEqual(["$.cart.lines[0].quantity"]);
  });

  it("refuses a quantity raised above the hold, naming what is held", async () => {
    const token = holdToken(keyring, "saleA", [{ i: "itemA1", q: 2 }]);
    const result = await gate([{ variant: 101, quantity: 3, token }]);
    expect(errorsOf(result)).toEqual([{ target: "$.cart.lines[0].quantity", message: "You hold 2 of this item. Lower the quantity to 2 to check out." }]);
  });

  it("refuses a second drop variant the hold does not cover, and accepts a hold that covers both", async () => {
    const one = holdToken(keyring, "saleA", [{ i: "itemA1", q: 1 }]);
    const result = await gate([
      { variant: 101, quantity: 1, token: one },
      { variant: 102, quantity: 1, token: one },
    ]);
    expect(targets(result)).toEqual(["$.cart.lines[1].quantity"]);
    const both = holdToken(keyring, "saleA", [
      { i: "itemA1", q: 1 },
      { i: "itemA2", q: 1 },
    ]);
    expect(
      await gate([
        { variant: 101, quantity: 1, token: both },
        { variant: 102, quantity: 1, token: both },
      ]),
    ).toEqual({ operations: [] });
  });

  it("sums several lines of one variant: one token copied onto two lines counts once", async () => {
    const token = holdToken(keyring, "saleA", [{ i: "itemA1", q: 2 }]);
    expect(
      await gate([
        { variant: 101, quantity: 1, token },
        { variant: 101, quantity: 1, token },
      ]),
    ).toEqual({ operations: [] });
    const over = await gate([
      { variant: 101, quantity: 2, token },
      { variant: 101, quantity: 1, token },
    ]);
    expect(targets(over)).toEqual(["$.cart.lines[0].quantity", "$.cart.lines[1].quantity"]);
    // Two holds of the same shopper do add up.
    const second = holdToken(keyring, "saleA", [{ i: "itemA1", q: 1 }], { h: "another-hold" });
    expect(
      await gate([
        { variant: 101, quantity: 2, token },
        { variant: 101, quantity: 1, token: second },
      ]),
    ).toEqual({ operations: [] });
  });

  it("checks each drop of the shop on its own", async () => {
    const a = holdToken(keyring, "saleA", [{ i: "itemA1", q: 1 }]);
    const b = holdToken(keyring, "saleB", [{ i: "itemB1", q: 1 }]);
    expect(
      await gate([
        { variant: 101, quantity: 1, token: a },
        { variant: 201, quantity: 1, token: b },
      ]),
    ).toEqual({ operations: [] });
    expect(
      targets(
        await gate([
          { variant: 101, quantity: 1, token: a },
          { variant: 201, quantity: 1 },
        ]),
      ),
    ).toEqual(["$.cart.lines[1].quantity"]);
  });

  it("leaves a cart without drop variants untouched, custom products included", async () => {
    expect(
      await gate([
        { variant: 5, quantity: 40 },
        { variant: null, quantity: 1 },
      ]),
    ).toEqual({ operations: [] });
  });

  it("leaves an ended or scheduled drop's variants untouched", async () => {
    const ended = gateConfig(keyring, [
      { ...dropA, state: "ended" },
      { ...dropB, state: "scheduled" },
    ]);
    expect(ended.d).toEqual([]);
    expect(
      await gate(
        [
          { variant: 101, quantity: 9 },
          { variant: 201, quantity: 9 },
        ],
        ended,
      ),
    ).toEqual({ operations: [] });
  });

  it("checks nothing when the metafield is missing or not the gate's", async () => {
    expect(await gate([{ variant: 101, quantity: 1 }], null)).toEqual({ operations: [] });
    expect(await gate([{ variant: 101, quantity: 1 }], { something: "else" })).toEqual({ operations: [] });
  });

  it("lets a tokenless line of a fail-open drop through, but still checks tokens it carries", async () => {
    const open = gateConfig(keyring, [{ ...dropA, failPolicy: "open" }]);
    expect(await gate([{ variant: 101, quantity: 1 }], open)).toEqual({ operations: [] });
    const token = holdToken(newKeyring(), "saleA", [{ i: "itemA1", q: 1 }]);
    expect(targets(await gate([{ variant: 101, quantity: 1, token }], open))).toEqual(["$.cart.lines[0].quantity"]);
  });

  it("lets an expired but maybe unreclaimed hold through, and refuses one that expired a day before the shop's date", async () => {
    const exp = Date.UTC(2026, 11, 2, 11) / 1000;
    const token = holdToken(keyring, "saleA", [{ i: "itemA1", q: 1 }], { exp });
    expect(await gate([{ variant: 101, quantity: 1, token }], config, { date: "2026-12-02" })).toEqual({ operations: [] });
    expect(await gate([{ variant: 101, quantity: 1, token }], config, { date: "2026-12-03" })).toEqual({ operations: [] });
    const result = await gate([{ variant: 101, quantity: 1, token }], config, { date: "2026-12-04" });
    expect(errorsOf(result)).toEqual([{ target: "$.cart.lines[0].quantity", message: expect.stringMatching(/expired/) }]);
  });

  it("bounds the hashing work per run: tokens beyond the budget are refused, not checked", async () => {
    // 70 distinct holds of one unit each: more token bytes than MAX_HASHED_BYTES.
    const lines = Array.from({ length: 70 }, (_, index) => ({
      variant: 101,
      quantity: 1,
      token: holdToken(keyring, "saleA", [{ i: "itemA1", q: 1 }], { h: `hold-${index}` }),
    }));
    const budget = Math.floor(MAX_HASHED_BYTES / lines[0]!.token.length);
    const result = await gate(lines);
    expect(
      errorsOf(result)
        .filter((error) => /more separate drop holds/.test(error.message))
        .map((error) => error.target),
    ).toEqual(lines.slice(budget).map((_, index) => `$.cart.lines[${budget + index}].quantity`));
    // Within the budget, every one is checked and counts.
    expect(await gate(lines.slice(0, budget))).toEqual({ operations: [] });
  });

  it("answers in English for a language it has no catalogue for", async () => {
    const result = await gate([{ variant: 101, quantity: 1 }], config, { language: "PT_BR" });
    expect(errorsOf(result)[0]?.message).toMatch(/waiting room/);
  });
});

describe("the checkout gate's input query", () => {
  it("is valid against the cart_checkout_validation 2026-04 schema", () => {
    expect(validate(checkoutGateSchema(), parse(INPUT_QUERY)).map((error) => error.message)).toEqual([]);
  });
});

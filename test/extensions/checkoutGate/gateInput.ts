// Builds the checkout gate's input documents as Shopify would hand them to the function, and
// checks both sides against the offline cart_checkout_validation schema: an input is only
// used if executing src/run.graphql over it gives back exactly the same document, and every
// result must coerce to CartValidationsGenerateRunResult.
import { readFileSync } from "node:fs";

import { coerceInputValue, execute, parse, validate, type GraphQLInputType } from "graphql";
import { expect } from "vitest";

import { signToken, type Keyring } from "../../../app/core/tokens/index.ts";
import type { HoldClaims } from "../../../app/api/storefront/holdTokens.ts";
import type { RunInput, RunResult } from "../../../extensions/checkout-gate/src/types.ts";
import { GATE_METAFIELD } from "../../../extensions/checkout-gate/src/config.ts";
import { checkoutGateSchema } from "../../support/shopify/functionSchema.ts";

export const INPUT_QUERY = readFileSync(new URL("../../../extensions/checkout-gate/src/run.graphql", import.meta.url), "utf8");

export interface CartLineSpec {
  /** numeric ProductVariant id, or null for a custom product */
  variant: number | null;
  quantity: number;
  token?: string | null;
}

/** `config` null: the validation has no gate metafield. */
export function gateInput(lines: readonly CartLineSpec[], config: unknown, options: { language?: string; date?: string } = {}): RunInput {
  return {
    cart: {
      lines: lines.map((line) => ({
        quantity: line.quantity,
        merchandise:
          line.variant === null
            ? { __typename: "CustomProduct" as const }
            : { __typename: "ProductVariant" as const, id: `gid://shopify/ProductVariant/${line.variant}` },
        token: line.token ? { value: line.token } : null,
      })),
    },
    localization: { language: { isoCode: options.language ?? "EN" } },
    shop: { localTime: { date: options.date ?? "2026-12-02" } },
    validation: { metafield: config === null ? null : { jsonValue: config } },
  };
}

/** Executes the input query over `input` as Shopify's graph: the answer must be `input` itself. */
export async function expectConformingInput(input: RunInput): Promise<void> {
  const schema = checkoutGateSchema();
  const document = parse(INPUT_QUERY);
  expect(validate(schema, document)).toEqual([]);
  const rootValue = {
    ...input,
    cart: {
      lines: input.cart.lines.map((line) => ({
        ...line,
        attribute: ({ key }: { key: string }) => (key === "_holdfast_token" ? line.token : null),
      })),
    },
    validation: {
      metafield: ({ namespace, key }: { namespace: string; key: string }) =>
        namespace === GATE_METAFIELD.namespace && key === GATE_METAFIELD.key ? input.validation.metafield : null,
    },
  };
  const result = await execute({ schema, document, rootValue });
  expect(result.errors ?? []).toEqual([]);
  expect(JSON.parse(JSON.stringify(result.data))).toEqual(JSON.parse(JSON.stringify(input)));
}

/** The function's answer must be a CartValidationsGenerateRunResult. */
export function expectValidResult(result: RunResult): void {
  const schema = checkoutGateSchema();
  const type = schema.getType("CartValidationsGenerateRunResult") as GraphQLInputType;
  const problems: string[] = [];
  coerceInputValue(result, type, (path, _value, error) => problems.push(`${path.join(".")}: ${error.message}`));
  expect(problems).toEqual([]);
}

const NOW = Date.UTC(2026, 11, 2, 12) / 1000;

/** A hold token exactly as POST /v1/sales/{id}/holds signs it. */
export function holdToken(keyring: Keyring, saleId: string, lines: { i: string; q: number }[], extra: Partial<HoldClaims> = {}): string {
  const claims: HoldClaims = {
    typ: "hold",
    s: saleId,
    h: `h_${saleId}_${lines.map((line) => line.i).join("_")}`,
    sh: "session",
    iat: NOW,
    exp: NOW + 600,
    ln: lines,
    ...extra,
  };
  return signToken({ ...claims }, keyring);
}

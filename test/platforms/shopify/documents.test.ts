import { Kind, parse, validate, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";

import { ALL_OPERATIONS, INVENTORY_LEVELS, INVENTORY_SET_QUANTITIES, VARIANTS_OF_ITEMS, type Operation } from "../../../app/platforms/shopify/documents.ts";
import { SHOPIFY_API_VERSION, SHOPIFY_MAX_INPUT } from "../../../app/platforms/shopify/index.ts";
import { requestedQueryCost } from "../../support/shopify/cost.ts";
import { adminSchema } from "../../support/shopify/schema.ts";

const schema = adminSchema();

function operationOf(document: string): OperationDefinitionNode {
  const definition = parse(document).definitions[0];
  if (definition?.kind !== Kind.OPERATION_DEFINITION) throw new Error("not an operation");
  return definition;
}

const ids = (type: string, n: number) => Array.from({ length: n }, (_, i) => `gid://shopify/${type}/${i + 1}`);

/** Variables for each operation, at a small and at the largest size the adapter sends. */
const SAMPLES: Record<string, Record<string, unknown>[]> = {
  HoldfastInventoryLevels: [1, 7, SHOPIFY_MAX_INPUT].map((n) => ({ itemIds: ids("InventoryItem", n), locationId: "gid://shopify/Location/1" })),
  HoldfastVariantsOfItems: [1, 3, SHOPIFY_MAX_INPUT].map((n) => ({ itemIds: ids("InventoryItem", n) })),
  HoldfastInventorySetQuantities: [{ idempotencyKey: "k", input: { name: "available", reason: "correction", quantities: [] } }],
  HoldfastInventoryAdjustQuantities: [{ idempotencyKey: "k", input: { name: "available", reason: "correction", changes: [] } }],
  HoldfastFindDraftOrder: [{ query: "tag:x" }],
  HoldfastDraftOrderCreate: [{ input: { lineItems: [], tags: [], customAttributes: [] } }],
  HoldfastDraftOrderState: [{ id: "gid://shopify/DraftOrder/1" }],
  HoldfastDraftOrderDelete: [{ input: { id: "gid://shopify/DraftOrder/1" } }],
  HoldfastOrderCancel: [{ orderId: "gid://shopify/Order/1", reason: "OTHER", restock: true, notifyCustomer: true, refundMethod: null, staffNote: null }],
  HoldfastOrderState: [{ id: "gid://shopify/Order/1" }],
};

describe(`Shopify documents against the Admin schema ${SHOPIFY_API_VERSION}`, () => {
  it.each(ALL_OPERATIONS.map((operation) => [operation.name, operation] as const))("%s is valid", (_name, operation) => {
    const errors = validate(schema, parse(operation.document));
    expect(errors.map((error) => error.message)).toEqual([]);
  });

  it("would catch a typo, an unknown argument or a removed input field", () => {
    const broken = [
      INVENTORY_LEVELS.document.replace("inventoryLevel(", "inventoryLevels("),
      INVENTORY_LEVELS.document.replace("quantity\n", "quantitty\n"),
      INVENTORY_SET_QUANTITIES.document.replace("@idempotent(key: $idempotencyKey)", "@idempotent(token: $idempotencyKey)"),
      INVENTORY_SET_QUANTITIES.document.replace("InventorySetQuantitiesInput!", "InventorySetQuantityInput!"),
      VARIANTS_OF_ITEMS.document.replace("variants(first: 1)", "variants(first: 1, sortKey: ID)"),
    ];
    for (const document of broken) expect(validate(schema, parse(document)).length).toBeGreaterThan(0);
    // Input fields are checked when variables are coerced: 2026-04 has no compareQuantity.
    const quantityInput = schema.getType("InventoryQuantityInput");
    expect(quantityInput && "getFields" in quantityInput ? Object.keys(quantityInput.getFields()).sort() : []).toEqual([
      "changeFromQuantity",
      "inventoryItemId",
      "locationId",
      "quantity",
    ]);
  });

  it("names each operation as its constant says, and makes the inventory mutations idempotent", () => {
    for (const operation of ALL_OPERATIONS) {
      expect(operationOf(operation.document).name?.value).toBe(operation.name);
      if (/inventory(Set|Adjust)Quantities\(/.test(operation.document)) expect(operation.document).toMatch(/\) @idempotent\(key: \$idempotencyKey\)/);
    }
  });

  it("estimates exactly the cost the schema-walking calculator gives, within Shopify's 1000 per request", () => {
    for (const operation of ALL_OPERATIONS as readonly Operation<Record<string, unknown>, unknown>[]) {
      const samples = SAMPLES[operation.name];
      expect(samples, `variables for ${operation.name}`).toBeDefined();
      for (const variables of samples!) {
        const charged = requestedQueryCost(schema, operationOf(operation.document), {}, variables);
        expect({ operation: operation.name, cost: operation.cost(variables) }).toEqual({ operation: operation.name, cost: charged });
        expect(charged).toBeLessThanOrEqual(1000);
      }
    }
  });
});

import { Kind, parse, validate, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";

import {
  ADMIN_UI_DOCUMENTS,
  ITEMS_READINESS,
  MAIN_THEME_SETTINGS,
  MAX_VARIANT_LOOKUP,
  VARIANTS_WITH_STOCK,
} from "../../../app/platforms/shopify/adminDocuments.ts";
import { SHOPIFY_API_VERSION } from "../../../app/platforms/shopify/index.ts";
import { requestedQueryCost } from "../../support/shopify/cost.ts";
import { adminSchema } from "../../support/shopify/schema.ts";

const schema = adminSchema();

function operationOf(document: string): OperationDefinitionNode {
  const definition = parse(document).definitions[0];
  if (definition?.kind !== Kind.OPERATION_DEFINITION) throw new Error("not an operation");
  return definition;
}

const ids = (type: string, n: number) => Array.from({ length: n }, (_, i) => `gid://shopify/${type}/${i + 1}`);

/** The largest variables each document is sent with. */
const LARGEST: Record<string, Record<string, unknown>> = {
  HoldfastUiShop: {},
  HoldfastUiProductSearch: { query: "title:*shoe*" },
  HoldfastUiVariants: { ids: ids("ProductVariant", MAX_VARIANT_LOOKUP) },
  HoldfastUiItemsReadiness: { ids: ids("InventoryItem", MAX_VARIANT_LOOKUP) },
  HoldfastUiWebhooks: {},
  HoldfastUiMainTheme: {},
  HoldfastUiAppInstallation: {},
  HoldfastVariantsOfItems: { itemIds: ids("InventoryItem", MAX_VARIANT_LOOKUP) },
};

describe(`admin UI documents against the Admin schema ${SHOPIFY_API_VERSION}`, () => {
  it.each(ADMIN_UI_DOCUMENTS.map((document) => [document.name, document] as const))("%s is valid and named as its constant", (name, document) => {
    expect(validate(schema, parse(document.document)).map((error) => error.message)).toEqual([]);
    expect(operationOf(document.document).name?.value).toBe(name);
  });

  it("would catch a wrong field, type or argument", () => {
    const broken = [
      VARIANTS_WITH_STOCK.document.replace("inventoryPolicy", "inventoryPolicies"),
      ITEMS_READINESS.document.replace("tracked", "isTracked"),
      MAIN_THEME_SETTINGS.document.replace("roles: [MAIN]", "roles: [LIVE]"),
      VARIANTS_WITH_STOCK.document.replace("[ID!]!", "[String!]!"),
    ];
    for (const document of broken) expect(validate(schema, parse(document)).length).toBeGreaterThan(0);
  });

  it.each(Object.entries(LARGEST))("%s costs at most 1000 points at its largest", (name, variables) => {
    const document = ADMIN_UI_DOCUMENTS.find((candidate) => candidate.name === name);
    expect(document).toBeDefined();
    const cost = requestedQueryCost(schema, operationOf(document!.document), {}, variables);
    expect(cost).toBeLessThanOrEqual(1000);
  });
});

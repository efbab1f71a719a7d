import { Kind, parse, validate, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";

import { GATE_CREATE, GATE_DOCUMENTS, GATE_VALIDATIONS } from "../../../app/platforms/shopify/gateDocuments.ts";
import { SHOPIFY_API_VERSION } from "../../../app/platforms/shopify/index.ts";
import { requestedQueryCost } from "../../support/shopify/cost.ts";
import { adminSchema } from "../../support/shopify/schema.ts";

const schema = adminSchema();

function operationOf(document: string): OperationDefinitionNode {
  const definition = parse(document).definitions[0];
  if (definition?.kind !== Kind.OPERATION_DEFINITION) throw new Error("not an operation");
  return definition;
}

describe(`checkout gate documents against the Admin schema ${SHOPIFY_API_VERSION}`, () => {
  it.each(GATE_DOCUMENTS.map((document) => [document.name, document] as const))("%s is valid and named as its constant", (name, document) => {
    expect(validate(schema, parse(document.document)).map((error) => error.message)).toEqual([]);
    expect(operationOf(document.document).name?.value).toBe(name);
  });

  it("would catch a wrong field or input type", () => {
    for (const document of [
      GATE_VALIDATIONS.document.replace("blockOnFailure", "blocksOnFailure"),
      GATE_CREATE.document.replace("ValidationCreateInput!", "ValidationInput!"),
      GATE_VALIDATIONS.document.replace("appKey", "apiKey"),
    ]) {
      expect(validate(schema, parse(document)).length).toBeGreaterThan(0);
    }
  });

  it.each(GATE_DOCUMENTS.map((document) => [document.name, document] as const))("%s costs at most 1000 points", (_name, document) => {
    expect(requestedQueryCost(schema, operationOf(document.document), {}, {})).toBeLessThanOrEqual(1000);
  });
});

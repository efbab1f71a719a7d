/**
 * The checkout gate's Admin documents: find the shop's validations (is ours there, enabled,
 * blocking, configured?), create ours, and write its metafield. Validated against the Admin
 * schema of SHOPIFY_API_VERSION by test/app/ui/gateDocuments.test.ts, like adminDocuments.ts.
 */
import type { AdminDocument } from "./adminDocuments.ts";

function gateDocument<Variables, Data>(name: string, document: string): AdminDocument<Variables, Data> {
  return { name, document: document.trim() };
}

/** extensions/checkout-gate/shopify.extension.toml's handle. */
export const GATE_FUNCTION_HANDLE = "checkout-gate";

/** Shopify activates at most 25 validations per shop, so one page lists them all. */
export const MAX_VALIDATIONS = 25;

export interface GateValidationData {
  id: string;
  title: string;
  enabled: boolean;
  blockOnFailure: boolean;
  shopifyFunction: { handle: string; appKey: string };
  metafield: { id: string; updatedAt: string; value: string } | null;
}
export interface GateValidationsData {
  validations: { nodes: GateValidationData[] };
}
/** 25 validations x (1 + function 1 + metafield 1): about 77 points; a metafield value is at most 10 KB (see extensions/checkout-gate/src/config.ts). */
export const GATE_VALIDATIONS = gateDocument<Record<string, never>, GateValidationsData>(
  "HoldfastGateValidations",
  /* GraphQL */ `
query HoldfastGateValidations {
  validations(first: ${MAX_VALIDATIONS}) {
    nodes {
      id
      title
      enabled
      blockOnFailure
      shopifyFunction {
        handle
        appKey
      }
      metafield(namespace: "$app:holdfast", key: "gate") {
        id
        updatedAt
        value
      }
    }
  }
}`,
);

export interface GateCreateVariables {
  validation: {
    functionHandle: string;
    title: string;
    enable: boolean;
    blockOnFailure: boolean;
    metafields: { namespace: string; key: string; type: string; value: string }[];
  };
}
export interface GateUserError {
  field: string[] | null;
  message: string;
  code: string | null;
}
export interface GateCreateData {
  validationCreate: { validation: GateValidationData | null; userErrors: GateUserError[] } | null;
}
export const GATE_CREATE = gateDocument<GateCreateVariables, GateCreateData>(
  "HoldfastGateCreate",
  /* GraphQL */ `
    mutation HoldfastGateCreate($validation: ValidationCreateInput!) {
      validationCreate(validation: $validation) {
        validation {
          id
          title
          enabled
          blockOnFailure
          shopifyFunction {
            handle
            appKey
          }
          metafield(namespace: "$app:holdfast", key: "gate") {
            id
            updatedAt
            value
          }
        }
        userErrors {
          field
          message
          code
        }
      }
    }
  `,
);

export const GATE_DOCUMENTS: readonly AdminDocument<unknown, unknown>[] = [GATE_VALIDATIONS, GATE_CREATE] as AdminDocument<unknown, unknown>[];

/** The shape of src/run.graphql's answer (what `shopify app function typegen` would generate). */
export interface RunInput {
  cart: {
    lines: {
      quantity: number;
      merchandise: { __typename: "ProductVariant"; id: string } | { __typename: "CustomProduct" };
      token: { value: string | null } | null;
    }[];
  };
  localization: { language: { isoCode: string } };
  shop: { localTime: { date: string } };
  validation: { metafield: { jsonValue: unknown } | null };
}

export interface ValidationError {
  message: string;
  target: string;
}

/** CartValidationsGenerateRunResult */
export interface RunResult {
  operations: { validationAdd: { errors: ValidationError[] } }[];
}

import { SHOPIFY_API_VERSION } from "../../../app/platforms/shopify/version.ts";
// @ts-expect-error: a plain .mjs script without types; fetchSchema({version}) is all we call.
import { fetchSchema } from "../../../scripts/shopify-schema.mjs";

import { CHECKOUT_GATE_SCHEMA } from "./functionSchema.ts";

/** Fetch the offline schemas once, before the parallel test workers each want them. */
export default function setup(): void {
  const fetch = fetchSchema as (options: { version: string; api?: string }) => void;
  fetch({ version: SHOPIFY_API_VERSION });
  fetch({ version: SHOPIFY_API_VERSION, api: CHECKOUT_GATE_SCHEMA });
}

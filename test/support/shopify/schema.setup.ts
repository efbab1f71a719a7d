import { SHOPIFY_API_VERSION } from "../../../app/platforms/shopify/version.ts";
// @ts-expect-error: a plain .mjs script without types; fetchSchema({version}) is all we call.
import { fetchSchema } from "../../../scripts/shopify-schema.mjs";

/** Fetch the offline Admin schema once, before the parallel test workers each want it. */
export default function setup(): void {
  (fetchSchema as (options: { version: string }) => void)({ version: SHOPIFY_API_VERSION });
}

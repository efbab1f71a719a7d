import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";

import { SHOPIFY_API_VERSION } from "../../../app/platforms/shopify/version.ts";

/** The Cart and Checkout Validation Function API's schema, as @shopify/dev-mcp ships it. */
export const CHECKOUT_GATE_SCHEMA = "functions_cart_checkout_validation";

const SCRIPT = fileURLToPath(new URL("../../../scripts/shopify-schema.mjs", import.meta.url));
const CACHE = fileURLToPath(new URL("../../../.cache/shopify/", import.meta.url));

let cached: GraphQLSchema | undefined;

/** The checkout gate's Function schema for the pinned API version (offline, cached like the Admin schema). */
export function checkoutGateSchema(): GraphQLSchema {
  if (cached) return cached;
  const file = `${CACHE}${CHECKOUT_GATE_SCHEMA}_${SHOPIFY_API_VERSION}.json.gz`;
  if (!existsSync(file))
    execFileSync(process.execPath, [SCRIPT, "--version", SHOPIFY_API_VERSION, "--api", CHECKOUT_GATE_SCHEMA], { stdio: ["ignore", "ignore", "inherit"] });
  const introspection = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as { data: IntrospectionQuery };
  cached = buildClientSchema(introspection.data);
  return cached;
}

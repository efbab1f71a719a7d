import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

import { buildClientSchema, isUnionType, type GraphQLSchema, type IntrospectionQuery } from "graphql";

import { SHOPIFY_API_VERSION } from "../../../app/platforms/shopify/version.ts";

const SCRIPT = fileURLToPath(new URL("../../../scripts/shopify-schema.mjs", import.meta.url));
const CACHE = fileURLToPath(new URL("../../../.cache/shopify/", import.meta.url));

let cached: GraphQLSchema | undefined;

/**
 * Shopify's Admin GraphQL schema for the pinned API version, from the offline introspection
 * that scripts/shopify-schema.mjs caches under .cache/shopify/ (run once if it is missing).
 */
export function adminSchema(): GraphQLSchema {
  if (cached) return cached;
  const file = `${CACHE}admin_${SHOPIFY_API_VERSION}.json.gz`;
  if (!existsSync(file)) execFileSync(process.execPath, [SCRIPT, "--version", SHOPIFY_API_VERSION], { stdio: ["ignore", "ignore", "inherit"] });
  const introspection = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as { data: IntrospectionQuery };
  const schema = buildClientSchema(introspection.data);
  // Fields are built lazily; build them now so no request pays for it (and times out).
  for (const type of Object.values(schema.getTypeMap())) {
    if ("getFields" in type) type.getFields();
    if ("getInterfaces" in type) type.getInterfaces();
    if (isUnionType(type)) type.getTypes();
  }
  cached = schema;
  return cached;
}

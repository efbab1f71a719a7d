#!/usr/bin/env node
// Fetches Shopify's Admin GraphQL schema (an introspection result) for the API version the
// app pins, so tests validate every document the app sends with no network at test time.
//
//   node scripts/shopify-schema.mjs [--version 2026-04] [--api admin] [--force]
//       writes .cache/shopify/<api>_<version>.json.gz (ignored by git) unless it is there.
//       --api functions_cart_checkout_validation: the checkout gate's Function schema.
//
// Source: the npm package @shopify/dev-mcp, which ships the introspection of each supported
// version as dist/data/admin_<version>.json.gz, and each Function API's as
// dist/data/functions_<api>_<version>.json.gz. `npm pack` downloads the tarball through the
// ordinary npm client (integrity checked against the registry, ~14 MB, about a second) and
// only that one member is kept. test/support/shopify/schema.ts runs this script when the
// file is missing.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Buffer } from "node:buffer";
import { gunzipSync } from "node:zlib";

export const SCHEMA_PACKAGE = "@shopify/dev-mcp@1.16.0";
export const DEFAULT_VERSION = "2026-04";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function schemaPath(version = DEFAULT_VERSION, api = "admin") {
  return path.join(root, ".cache", "shopify", `${api}_${version}.json.gz`);
}

/** Finds one regular file in an uncompressed (ustar/pax) tar archive. */
function extractMember(tar, wanted) {
  let offset = 0;
  let longName = null;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start, length) =>
      header
        .subarray(start, start + length)
        .toString("utf8")
        .replace(/\0[\s\S]*$/, "");
    const size = Number.parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1) || "0";
    const prefix = field(345, 155);
    let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = null;
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      // pax extended header: may carry the real path of the next entry
      const match = /\d+ path=([^\n]*)\n/.exec(body.toString("utf8"));
      if (match) longName = match[1];
      continue;
    }
    if (type === "L") {
      longName = body.toString("utf8").replace(/\0[\s\S]*$/, "");
      continue;
    }
    if ((type === "0" || type === "\0") && name === wanted) return Buffer.from(body);
    name = "";
  }
  return null;
}

export function fetchSchema({ version = DEFAULT_VERSION, api = "admin", force = false, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  if (!/^\d{4}-\d{2}$|^unstable$/.test(version)) throw new Error(`not an API version: ${version}`);
  if (!/^(admin|functions_[a-z_]+)$/.test(api)) throw new Error(`not a schema name: ${api}`);
  const target = schemaPath(version, api);
  if (existsSync(target) && !force) {
    log(`shopify-schema: ${path.relative(root, target)} is present`);
    return target;
  }
  const work = mkdtempSync(path.join(tmpdir(), "holdfast-shopify-schema-"));
  try {
    const packed = execFileSync("npm", ["pack", SCHEMA_PACKAGE, "--silent", "--pack-destination", work], {
      cwd: work,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      shell: process.platform === "win32",
    })
      .trim()
      .split("\n")
      .pop();
    if (!packed) throw new Error(`npm pack ${SCHEMA_PACKAGE} printed no file name`);
    const member = `package/dist/data/${api}_${version}.json.gz`;
    const gz = extractMember(gunzipSync(readFileSync(path.join(work, packed))), member);
    if (!gz) throw new Error(`${SCHEMA_PACKAGE} has no ${member}; pick a version it ships`);
    const introspection = JSON.parse(gunzipSync(gz).toString("utf8"));
    if (!introspection?.data?.__schema?.queryType) throw new Error(`${member} is not an introspection result`);
    mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.partial`;
    writeFileSync(partial, gz);
    renameSync(partial, target);
    log(`shopify-schema: wrote ${path.relative(root, target)} from ${SCHEMA_PACKAGE} (${gz.length} bytes)`);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const versionAt = args.indexOf("--version");
  const apiAt = args.indexOf("--api");
  try {
    fetchSchema({
      version: versionAt >= 0 ? args[versionAt + 1] : DEFAULT_VERSION,
      api: apiAt >= 0 ? args[apiAt + 1] : "admin",
      force: args.includes("--force"),
    });
  } catch (error) {
    process.stderr.write(`shopify-schema: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

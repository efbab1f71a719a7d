import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { SHOPIFY_API_VERSION } from "../../../app/platforms/shopify/version.ts";
import { SHOPIFY_APP_API_VERSION, SHOPIFY_SCOPES } from "../../../app/shopify.server.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

type Table = Record<string, unknown>;

/**
 * Enough TOML for shopify.app.toml: comments, [table], [[array.of.tables]], and `key = value`
 * where the value is a string, boolean, number or array of strings (all valid JSON there).
 */
function parseToml(text: string): Table {
  const root: Table = {};
  let current: Table = root;
  const at = (path: string[], array: boolean): Table => {
    let table = root;
    path.forEach((name, i) => {
      const last = i === path.length - 1;
      if (last && array) {
        const list = (table[name] ??= []) as Table[];
        list.push({});
        table = list[list.length - 1] as Table;
      } else {
        const next = table[name] ?? {};
        table[name] = next;
        table = Array.isArray(next) ? (next[next.length - 1] as Table) : (next as Table);
      }
    });
    return table;
  };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = /^(\[\[?)([A-Za-z0-9_.-]+)\]\]?$/.exec(line);
    if (header) {
      current = at(header[2]!.split("."), header[1] === "[[");
      continue;
    }
    const pair = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (!pair) throw new Error(`cannot read TOML line: ${line}`);
    current[pair[1]!] = JSON.parse(pair[2]!) as unknown;
  }
  return root;
}

const toml = parseToml(readFileSync(`${ROOT}shopify.app.toml`, "utf8"));
const webhooks = toml.webhooks as { api_version: string; subscriptions: { topics?: string[]; compliance_topics?: string[]; uri: string }[] };

/** The flat-routes file that serves a path: /webhooks/orders/create -> app/routes/webhooks.orders.create.tsx. */
function routeFileOf(uri: string): string {
  return `${ROOT}app/routes/${uri.replace(/^\//, "").replaceAll("/", ".")}.tsx`;
}

describe("shopify.app.toml", () => {
  it("asks for exactly the scopes app/shopify.server.ts configures", () => {
    const scopes = String((toml.access_scopes as Table).scopes)
      .split(",")
      .map((scope) => scope.trim());
    expect([...scopes].sort()).toEqual([...SHOPIFY_SCOPES].sort());
    // Least privilege: no scope twice, no read_* next to its write_*.
    expect(new Set(scopes).size).toBe(scopes.length);
    for (const scope of scopes) if (scope.startsWith("read_")) expect(scopes).not.toContain(scope.replace(/^read_/, "write_"));
  });

  it("pins webhooks to the API version of the adapter and of the library configuration", () => {
    expect(webhooks.api_version).toBe(SHOPIFY_API_VERSION);
    expect(String(SHOPIFY_APP_API_VERSION)).toBe(SHOPIFY_API_VERSION);
  });

  it("subscribes to every topic the app handles, the compliance topics included, each at a route that exists", () => {
    const topics = webhooks.subscriptions.flatMap((subscription) => [...(subscription.topics ?? []), ...(subscription.compliance_topics ?? [])]);
    expect([...topics].sort()).toEqual(
      [
        "app/uninstalled",
        "app/scopes_update",
        "customers/data_request",
        "customers/redact",
        "inventory_levels/update",
        "orders/cancelled",
        "orders/create",
        "products/update",
        "shop/redact",
      ].sort(),
    );
    const compliance = webhooks.subscriptions.flatMap((subscription) => subscription.compliance_topics ?? []);
    expect([...compliance].sort()).toEqual(["customers/data_request", "customers/redact", "shop/redact"]);
    for (const subscription of webhooks.subscriptions) {
      expect(subscription.uri, `${subscription.uri} has a route file`).toMatch(/^\/webhooks\//);
      expect(existsSync(routeFileOf(subscription.uri)), routeFileOf(subscription.uri)).toBe(true);
      // The route handles the topic it is subscribed for (its action names it).
      const topic = (subscription.topics ?? subscription.compliance_topics ?? [])[0] as string;
      expect(readFileSync(routeFileOf(subscription.uri), "utf8")).toContain(`"${topic.toUpperCase().replaceAll("/", "_")}"`);
    }
  });

  it("is an embedded app with the app proxy the storefront widget calls, and auth redirects under /auth", () => {
    expect(toml).toMatchObject({ embedded: true, name: "Holdfast" });
    expect(String(toml.client_id)).toMatch(/^[0-9a-f]{32}$/);
    expect(toml.app_proxy).toEqual({ url: "/proxy", prefix: "apps", subpath: "holdfast" });
    const redirects = (toml.auth as { redirect_urls: string[] }).redirect_urls;
    for (const url of redirects) expect(new URL(url).pathname).toMatch(/^\/auth\//);
    expect(String(toml.application_url)).toMatch(/^https:\/\//);
  });

  it("carries no field the CLI no longer reads ([build] include_config_on_deploy)", () => {
    expect(toml.build).toEqual({ automatically_update_urls_on_dev: true });
  });
});

describe("shopify.web.toml", () => {
  const web = parseToml(readFileSync(`${ROOT}shopify.web.toml`, "utf8"));
  const scripts = (JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { scripts: Record<string, string> }).scripts;

  it("declares one process with both roles, started by a dev command that exists", () => {
    // What the CLI reads: roles (frontend and/or backend) and commands.dev (run in the file's folder).
    expect(web.roles).toEqual(["frontend", "backend"]);
    const dev = String((web.commands as Table).dev);
    expect(dev).toBe("npm start");
    expect(scripts.start).toBeDefined();
  });

  it("is started on the port the CLI gives: npm start's entry point listens on PORT", () => {
    const main = readFileSync(`${ROOT}app/main.ts`, "utf8");
    expect(main).toMatch(/process\.env\.PORT/);
    expect(scripts.start).toMatch(/app\/main\.ts/);
  });
});

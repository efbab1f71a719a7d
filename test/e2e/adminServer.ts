// The real server for the admin pages' browser tests and the admin's web-vitals benchmark:
// buildApp with the Remix app mounted as `npm start` mounts it (Vite in middleware mode, so the
// pages are the working tree's, with no build step; or the production build), on Redis and a
// throwaway SQLite file, the embedded app configured with test credentials, and the Admin API
// stand-in behind an undici dispatcher (this process is the server, so its fetches reach the
// stand-in). Free of Vitest, so a benchmark can run it: the caller says which Redis.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

import { LogSeverity, Session } from "@shopify/shopify-api";
import { MemorySessionStorage } from "@shopify/shopify-app-session-storage-memory";
import type { Page } from "playwright-core";

import { buildApp, type App } from "../../app/composition/web.server.ts";
import { silentLogger } from "../../app/core/logger.ts";
import type { RedisConfig } from "../../app/core/redis.ts";
import { createWebApp, type WebMode } from "../../app/web/remix.server.ts";
import { configureShopify, SHOPIFY_SCOPES } from "../../app/shopify.server.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { startAdminStandIn, type AdminShop, type AdminStandIn } from "../app/ui/support/adminStandIn.ts";
import { sessionToken } from "../support/shopify/sessionToken.ts";
import { freshDatabase, type TestDatabase } from "../db/databases.ts";

// Under node_modules: the server hands Vite only /node_modules/ and /app/ paths (app/remix.server.ts).
const VITE_CACHE_DIR = fileURLToPath(new URL("../../node_modules/.vite-admin-e2e/", import.meta.url));
export const API_KEY = "holdfast-e2e-api-key";
export const API_SECRET = `e2e-secret-${randomBytes(8).toString("hex")}`;
export const ADMIN_TOKEN = `e2e-admin-${randomBytes(16).toString("hex")}`;

export interface AdminServer {
  base: string;
  app: App;
  standIn: AdminStandIn;
  close(): Promise<void>;
}

export interface AdminServerOptions {
  redis: RedisConfig;
  /** development (default): Vite in middleware mode, the working tree's pages; production: the build, as merchants get it. */
  mode?: WebMode;
  /** production: where the build is (built there first when missing or older than app/); default build/. */
  buildDirectory?: string;
}

export async function startAdminServer(shops: AdminShop[], options: AdminServerOptions): Promise<AdminServer> {
  const database: TestDatabase = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  // The console resolves the admin token from the environment, as under npm start.
  process.env.HOLDFAST_ADMIN_TOKEN = ADMIN_TOKEN;
  // Vite's pre-bundled dependencies in a directory of this test's own (kept between runs).
  process.env.HOLDFAST_VITE_CACHE_DIR = VITE_CACHE_DIR;
  const standIn = await startAdminStandIn(shops);
  const env: NodeJS.ProcessEnv = { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64") };
  const app = buildApp({
    redis: options.redis,
    databaseUrl: database.url,
    logger: silentLogger,
    env,
    adminToken: ADMIN_TOKEN,
    web: (parts) =>
      createWebApp({
        mode: options.mode ?? "development",
        ...(options.buildDirectory === undefined ? {} : { buildDirectory: options.buildDirectory }),
        logger: silentLogger,
        // The pages tested here need no queue producers (those are for webhooks).
        loadContext: () => ({ holdfast: { ...parts, logger: silentLogger } }) as never,
      }),
  });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const sessionStorage = new MemorySessionStorage();
  configureShopify({
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    appUrl: base,
    sessionStorage,
    isTesting: true,
    logLevel: LogSeverity.Error,
    install: { db: app.db, masterKey: app.masterKey.key },
  });
  for (const shop of shops) {
    await sessionStorage.storeSession(
      new Session({
        id: `offline_${shop.domain}`,
        shop: shop.domain,
        state: "",
        isOnline: false,
        accessToken: shop.accessToken,
        scope: SHOPIFY_SCOPES.join(","),
      }),
    );
  }
  await app.web?.start(app.server);
  return {
    base,
    app,
    standIn,
    async close() {
      const sales = await app.sales.list({ limit: 200 }).catch(() => []);
      // Ended rooms leave the shared registry, so no admission controller keeps visiting them.
      await Promise.all(sales.map((sale) => app.sales.end(sale.id).catch(() => undefined)));
      configureShopify(null);
      await app.close();
      await standIn.close();
      await database.drop();
    },
  };
}

/**
 * A stand-in for App Bridge: its real script comes from Shopify's CDN, which these machines
 * cannot reach. Like App Bridge it defines `window.shopify` with `idToken()` and adds
 * `Authorization: Bearer <session token>` to the app's own fetches, so authenticate.admin
 * works for every data request. The token is signed in the test process (exposeFunction),
 * with the app's secret, as Shopify signs session tokens; the secret never reaches the page.
 * With `picks`, `shopify.resourcePicker()` answers with those product variants, as the
 * merchant's choice in App Bridge's picker would; without, there is no picker and the pages
 * use their Admin API search instead.
 */
export async function installAppBridgeStandIn(page: Page, shop: string, picks?: { productId: string; variantIds: string[] }): Promise<void> {
  await page.exposeFunction("__holdfastSessionToken", () => sessionToken(shop, API_KEY, API_SECRET));
  await page.route("https://cdn.shopify.com/**", async (route) => {
    const url = route.request().url();
    if (!/app-bridge\.js/.test(url)) return route.fulfill({ status: 200, contentType: url.endsWith(".css") ? "text/css" : "text/plain", body: "" });
    const picker = picks
      ? `window.shopify.resourcePicker = async function () { return [${JSON.stringify({ id: picks.productId, variants: picks.variantIds.map((id) => ({ id })) })}]; };`
      : "";
    await route.fulfill({ status: 200, contentType: "text/javascript", body: APP_BRIDGE_STAND_IN + picker });
  });
}

const APP_BRIDGE_STAND_IN = `
(function () {
  var idToken = function () { return window.__holdfastSessionToken(); };
  // What the page asked of App Bridge, for the tests to read: toasts shown, save bar shown/hidden.
  window.__appBridgeCalls = [];
  var record = function (call) { window.__appBridgeCalls.push(call); };
  window.shopify = { idToken: idToken, config: { apiKey: ${JSON.stringify(API_KEY)} }, toast: { show: function (message) { record("toast:" + message); } }, loading: function () {} };
  // <ui-save-bar> as App Bridge defines it: show()/hide(), "showing", show/hide events. Its
  // buttons stay in the page here (the real one moves them into the admin's top bar).
  customElements.define("ui-save-bar", class extends HTMLElement {
    constructor() { super(); this._showing = false; }
    get showing() { return this._showing; }
    show() { if (!this._showing) { this._showing = true; record("saveBar:show:" + this.id); this.dispatchEvent(new Event("show")); } return Promise.resolve(); }
    hide() { if (this._showing) { this._showing = false; record("saveBar:hide:" + this.id); this.dispatchEvent(new Event("hide")); } return Promise.resolve(); }
    toggle() { return this._showing ? this.hide() : this.show(); }
  });
  var originalFetch = window.fetch.bind(window);
  window.fetch = async function (input, init) {
    var url = new URL(typeof input === "string" || input instanceof URL ? String(input) : input.url, location.href);
    if (url.origin !== location.origin) return originalFetch(input, init);
    var headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
    headers.set("Authorization", "Bearer " + (await idToken()));
    return originalFetch(input, Object.assign({}, init, { headers: headers }));
  };
})();
`;

/**
 * Headless Chromium says "HeadlessChrome" in its user agent, and shopify-app-remix answers
 * bots (isbot) with 410 Gone; the pages are opened as the desktop Chrome they imitate.
 */
export const DESKTOP_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

/** The URL Shopify's admin opens the embedded app with. */
export function embeddedUrl(base: string, shop: string, path = "/app"): string {
  const host = Buffer.from(`${shop}/admin`).toString("base64url");
  const query = new URLSearchParams({ embedded: "1", shop, host, id_token: sessionToken(shop, API_KEY, API_SECRET) });
  return `${base}${path}?${query.toString()}`;
}

/**
 * The one place that configures Shopify's library (@shopify/shopify-app-remix), as in
 * Shopify's app template. Everything else imports `authenticate`, `login` and friends from here.
 *
 * Without SHOPIFY_API_KEY and SHOPIFY_API_SECRET the Shopify part is off: `npm start` still
 * serves the storefront API, /app explains what to configure, and webhook and app-proxy
 * requests are refused (nothing could verify them).
 */
import "@shopify/shopify-app-remix/adapters/node";

import { ApiVersion, AppDistribution, SessionNotFoundError, shopifyApp, type LogSeverity } from "@shopify/shopify-app-remix/server";
import type { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

import { DEV_MASTER_KEY_FILE } from "./composition/devFiles.ts";
import { loadMasterKey } from "./core/secrets/index.ts";
import { getDb, type Db } from "./db/client.server.ts";
import { SqlSessionStorage } from "./db/SqlSessionStorage.ts";
import { recordShopifyInstall } from "./stores/shopifyStores.server.ts";

/**
 * Pinned, like the adapter's documents (app/platforms/shopify/version.ts; a test keeps the
 * two equal): webhook payloads and Admin API answers come in the shape our code expects.
 */
export const SHOPIFY_APP_API_VERSION = ApiVersion.April26;

/**
 * The least the features need; write_* includes read_*. Kept equal to shopify.app.toml's
 * [access_scopes] by test/app/shopify/appToml.test.ts.
 */
export const SHOPIFY_SCOPES = [
  // Product and variant picker, readiness checks (tracked inventory, inventory policy), products/update.
  "read_products",
  // Stock write-back (inventorySetQuantities), default allocation from available stock, inventory_levels/update.
  "write_inventory",
  // orders/create and orders/cancelled webhooks; write for the "cancel" bypass policy (orderCancel).
  "write_orders",
  // The headless path: draft orders that reserve stock until paid (draftOrderCreate).
  "write_draft_orders",
  // The storefront widget reaches us through the app proxy (/apps/holdfast -> /proxy).
  "write_app_proxy",
  // Readiness: is the waiting-room app embed enabled in the live theme (settings_data.json of
  // the MAIN theme). App Bridge's shopify.app.extensions() reports theme app embeds' status too
  // (since 2026-01), but only in the browser, while the checklist is decided in its loader with
  // the other checks (webhooks, checkout gate), where the page also works without App Bridge.
  // Moving that one check into the page would let this scope go.
  "read_themes",
  // The checkout gate: create the cart and checkout validation that runs extensions/checkout-gate
  // (validationCreate) and keep its metafield (keys, running drops) current.
  "write_validations",
] as const;

export const SHOPIFY_ENV = { apiKey: "SHOPIFY_API_KEY", apiSecret: "SHOPIFY_API_SECRET", appUrl: "SHOPIFY_APP_URL" } as const;

export interface ShopifySettings {
  apiKey: string;
  apiSecretKey: string;
  /** The public https URL of this server (SHOPIFY_APP_URL; `shopify app dev` sets it to its tunnel). */
  appUrl: string;
  /** Default: the `Session` table of the app's database (SqlSessionStorage). */
  sessionStorage?: SessionStorage;
  /** Where installs record the Store; default the process's database and master key. */
  install?: { db: Db; masterKey: Buffer };
  /** Library test mode (testConfig from @shopify/shopify-app-remix/test-helpers). */
  isTesting?: boolean;
  logLevel?: LogSeverity;
}

export type ShopifySetup = { enabled: true; settings: ShopifySettings } | { enabled: false; missing: string[] };

/** What the environment says; the Shopify part is off unless the key and secret are both set. */
export function shopifySetupFromEnv(env: NodeJS.ProcessEnv = process.env): ShopifySetup {
  const apiKey = env[SHOPIFY_ENV.apiKey]?.trim() ?? "";
  const apiSecretKey = env[SHOPIFY_ENV.apiSecret]?.trim() ?? "";
  const missing = [...(apiKey ? [] : [SHOPIFY_ENV.apiKey]), ...(apiSecretKey ? [] : [SHOPIFY_ENV.apiSecret])];
  if (missing.length > 0) return { enabled: false, missing };
  const appUrl = env[SHOPIFY_ENV.appUrl]?.trim() || `http://${env.HOST ?? "127.0.0.1"}:${env.PORT ?? "3000"}`;
  return { enabled: true, settings: { apiKey, apiSecretKey, appUrl } };
}

function installTarget(settings: ShopifySettings): { db: Db; masterKey: Buffer } {
  return settings.install ?? { db: getDb(), masterKey: loadMasterKey(process.env, { keyFile: DEV_MASTER_KEY_FILE }).key };
}

export function createShopify(settings: ShopifySettings) {
  return shopifyApp({
    apiKey: settings.apiKey,
    apiSecretKey: settings.apiSecretKey,
    appUrl: settings.appUrl,
    scopes: [...SHOPIFY_SCOPES],
    apiVersion: SHOPIFY_APP_API_VERSION,
    authPathPrefix: "/auth",
    sessionStorage: settings.sessionStorage ?? new SqlSessionStorage(getDb(), installTarget(settings).masterKey),
    distribution: AppDistribution.AppStore,
    isEmbeddedApp: true,
    // Webhooks are app-scoped subscriptions declared in shopify.app.toml, not registered from code.
    // Expiring offline tokens (required for public apps): the store directory's token keeper
    // refreshes them for every process (app/stores/shopifyTokens.server.ts).
    future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
    ...(settings.isTesting ? { isTesting: true } : {}),
    ...(settings.logLevel === undefined ? {} : { logger: { level: settings.logLevel } }),
    hooks: {
      // Runs when Shopify hands us a new offline token: on install, and on reinstall.
      afterAuth: async ({ session }: { session: Session }) => {
        const install = installTarget(settings);
        await recordShopifyInstall(install.db, install.masterKey, session);
      },
    },
  });
}

export type HoldfastShopify = ReturnType<typeof createShopify>;

// Kept on globalThis like the Prisma client: one instance per process, even when the
// development server reloads this module.
interface Configured {
  app: HoldfastShopify | null;
  apiKey: string;
  /** What Shopify signs webhooks with. */
  apiSecretKey: string;
  missing: string[];
}
const holder = globalThis as typeof globalThis & { __holdfastShopify?: Configured };

/** Replaces the process's Shopify app (tests: a testConfig()-based one; null turns it off). */
export function configureShopify(settings: ShopifySettings | null, missing: string[] = [SHOPIFY_ENV.apiKey, SHOPIFY_ENV.apiSecret]): HoldfastShopify | null {
  holder.__holdfastShopify = settings
    ? { app: createShopify(settings), apiKey: settings.apiKey, apiSecretKey: settings.apiSecretKey, missing: [] }
    : { app: null, apiKey: "", apiSecretKey: "", missing };
  return holder.__holdfastShopify.app;
}

function current(): Configured {
  if (holder.__holdfastShopify === undefined) {
    const setup = shopifySetupFromEnv();
    configureShopify(setup.enabled ? setup.settings : null, setup.enabled ? [] : setup.missing);
  }
  return holder.__holdfastShopify as Configured;
}

/** The app's API key (client id), which App Bridge needs in the page; "" when Shopify is off. */
export function shopifyApiKey(): string {
  return current().apiKey;
}

/** The app's API secret, which Shopify signs webhooks with; throws ShopifyNotConfiguredError when the Shopify part is off. */
export function shopifyWebhookSecret(): string {
  const { app, apiSecretKey, missing } = current();
  if (!app) throw new ShopifyNotConfiguredError(missing);
  return apiSecretKey;
}

/** The configured app, or null when the Shopify part is off. */
export function shopify(): HoldfastShopify | null {
  return current().app;
}

/** The environment variables still missing for the Shopify part (empty when it is on). */
export function shopifyMissingSettings(): string[] {
  return current().missing;
}

/** Shopify is off: Remix routes answer with this (their error boundaries explain it). */
export class ShopifyNotConfiguredError extends Error {
  override readonly name = "ShopifyNotConfiguredError";
  constructor(readonly missing: string[]) {
    super(`the Shopify app is not configured: set ${missing.join(" and ")}`);
  }
}

export function requireShopify(): HoldfastShopify {
  const { app, missing } = current();
  if (!app) throw new ShopifyNotConfiguredError(missing);
  return app;
}

/**
 * For pages: the Shopify part is off, so answer 503 with what to set. /app's layout renders
 * the setup page in its place (it does not render its children then).
 */
function requireShopifyForPage(): HoldfastShopify {
  const { app, missing } = current();
  if (app) return app;
  const error = new ShopifyNotConfiguredError(missing);
  throw Response.json({ error: { code: "shopify_not_configured", message: error.message } }, { status: 503 });
}

/** Template-style entry points; each resolves the configured app at call time. */
export const authenticate = {
  admin: (request: Request) => requireShopifyForPage().authenticate.admin(request),
  webhook: (request: Request) => requireShopify().authenticate.webhook(request),
  appProxy: (request: Request) => requireShopify().authenticate.public.appProxy(request),
};
export const login = (request: Request) => requireShopifyForPage().login(request);
export const addDocumentResponseHeaders = (request: Request, headers: Headers) => shopify()?.addDocumentResponseHeaders(request, headers);
export const unauthenticated = { admin: (shop: string) => requireShopify().unauthenticated.admin(shop) };

/** What the worker needs of a shop's Admin API (an Admin GraphQL call). */
export interface OfflineAdmin {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

/** A shop's Admin API through its offline session (the worker's calls), or null when the Shopify part is off or the shop has no session. */
export async function offlineAdmin(shop: string): Promise<OfflineAdmin | null> {
  const app = shopify();
  if (!app) return null;
  try {
    return (await app.unauthenticated.admin(shop)).admin;
  } catch (error) {
    if (error instanceof SessionNotFoundError) return null;
    throw error;
  }
}

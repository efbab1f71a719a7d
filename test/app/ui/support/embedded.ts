// The embedded app's loaders and actions, called as Remix calls them: a shopify-app-remix app
// from testConfig() (token exchange strategy) installed as the process's Shopify app, the
// shop's offline session already stored (so no token exchange call is made), requests
// authenticated by a session token signed as Shopify signs them, a real SaleService on real
// Redis and a fresh SQLite file, and the Admin API stand-in behind an undici dispatcher.
import { randomBytes } from "node:crypto";

import type { AppLoadContext } from "@remix-run/node";
import { LogSeverity, Session } from "@shopify/shopify-api";
import { testConfig } from "@shopify/shopify-app-remix/test-helpers";

import { configureShopify, SHOPIFY_SCOPES } from "../../../../app/shopify.server.ts";
import { salesHarness, type SalesHarness } from "../../../core/sales/harness.ts";
import { startAdminStandIn, type AdminShop, type AdminStandIn } from "./adminStandIn.ts";
import { sessionToken } from "../../../support/shopify/sessionToken.ts";

import { silentLogger } from "../../../../app/core/logger.ts";
import type { AdminGraphql } from "../../../../app/drops/adminGraphql.server.ts";
import { SHOPIFY_API_VERSION } from "../../../../app/platforms/shopify/version.ts";

// Re-exported: the embedded tests take both from here.
export { sessionToken } from "../../../support/shopify/sessionToken.ts";
export { shopFixture } from "./adminStandIn.ts";

export const APP_URL = "https://holdfast.test";

export interface EmbeddedHarness {
  sales: SalesHarness;
  standIn: AdminStandIn;
  context: AppLoadContext;
  apiKey: string;
  apiSecret: string;
  /** The shop's Admin API as the app's offline session calls it (through the stand-in). */
  admin(shop: string): AdminGraphql;
  /** A fetch-style request (Authorization: Bearer <session token>) from `shop`'s admin. */
  request(shop: string, path: string, init?: RequestInit): Request;
  close(): Promise<void>;
}

export async function startEmbedded(shops: AdminShop[]): Promise<EmbeddedHarness> {
  const sales = await salesHarness({ now: () => Date.now() });
  const config = testConfig();
  for (const shop of shops) shop.appKey ??= config.apiKey;
  const standIn = await startAdminStandIn(shops);
  const masterKey = randomBytes(32);
  const sessionStorage = config.sessionStorage!;
  configureShopify({
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecretKey,
    appUrl: APP_URL,
    sessionStorage,
    isTesting: true,
    logLevel: LogSeverity.Error,
    install: { db: sales.db, masterKey },
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
  const context = {
    holdfast: {
      sales: sales.service,
      room: sales.room,
      redis: sales.redis,
      db: sales.db,
      holds: sales.holds,
      masterKey: { key: masterKey, source: "env", generated: false },
      logger: silentLogger,
    },
  } as unknown as AppLoadContext;
  return {
    sales,
    standIn,
    context,
    apiKey: config.apiKey,
    apiSecret: config.apiSecretKey,
    admin(shop) {
      const { accessToken } = standIn.shop(shop);
      return {
        graphql: (query, options) =>
          fetch(`https://${shop}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-shopify-access-token": accessToken },
            body: JSON.stringify({ query, variables: options?.variables ?? {} }),
          }),
      };
    },
    request(shop, path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${sessionToken(shop, config.apiKey, config.apiSecretKey)}`);
      return new Request(`${APP_URL}${path}`, { ...init, headers });
    },
    async close() {
      configureShopify(null);
      await standIn.close();
      await sales.close();
    },
  };
}

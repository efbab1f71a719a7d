import type { AppLoadContext } from "@remix-run/node";

import { resolveAdminToken } from "../composition/adminToken.server.ts";
import { systemClock } from "../core/clock.ts";
import { shopifyApiKey } from "../shopify.server.ts";
import { findShopifyStore } from "../stores/shopifyStores.server.ts";
import { shopifyScope } from "./access.server.ts";
import type { DropsDeps, DropsScope } from "./deps.server.ts";
import type { PublishDeps } from "./gate/publish.server.ts";

/** The app's parts from Remix's load context (app/remixContext.server.ts). */
export function dropsDeps(context: AppLoadContext): DropsDeps {
  const { sales, room, redis, db, breakers } = context.holdfast;
  return { sales, room, redis, db, clock: systemClock, ...(breakers ? { breakers } : {}) };
}

/** What publishing the shop's drops (storefront metafield, checkout gate) needs. */
export function publishDeps(context: AppLoadContext): PublishDeps {
  const { sales, db, masterKey, logger } = context.holdfast;
  return { sales, db, masterKey: masterKey.key, logger, appKey: shopifyApiKey() };
}

/** The shop's store: the one the install hook recorded, else made now (its first page view can beat the hook). */
export async function scopeOfShop(deps: DropsDeps, shop: string): Promise<DropsScope> {
  const store = await findShopifyStore(deps.db, shop);
  return store ? { kind: "store", storeId: store.id } : shopifyScope(deps.db, shop);
}

let adminToken: string | undefined;

/** The admin token the console signs in with: the same one npm start uses for the admin API. */
export function consoleAdminToken(): string {
  adminToken ??= resolveAdminToken().token;
  return adminToken;
}

/** The console's default time zone for new drops: the server's (each drop's form can change it). */
export function serverTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

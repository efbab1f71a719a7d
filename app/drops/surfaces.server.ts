// The two surfaces the admin pages run on, the Shopify admin (embedded, /app) and the
// standalone console (/console): who is asking, which drops they see, which time zone the
// forms use, and what follows a change. The pages' loaders and actions (pages.server.ts) are
// written once against this, so the embedded and console routes differ only in their UI.
import { redirect, type AppLoadContext } from "@remix-run/node";

import { authenticate, shopifyApiKey } from "../shopify.server.ts";
import { CONSOLE_SCOPE } from "./access.server.ts";
import { shopSettings } from "./catalog.server.ts";
import { requireConsole } from "./consoleAuth.server.ts";
import { consoleAdminToken, dropsDeps, publishDeps, scopeOfShop, serverTimeZone } from "./context.server.ts";
import type { DropsDeps, DropsScope } from "./deps.server.ts";
import { tryPublishShopDrops } from "./gate/publish.server.ts";

export interface DropsSurface {
  deps: DropsDeps;
  /** "/app" or "/console": where the pages link to. */
  base: string;
  scope(): Promise<DropsScope>;
  /** The time zone forms show and read; without a `fallback`, a platform that cannot say is an error the page shows. */
  timeZone(fallback?: string): Promise<string>;
  /** The Shopify app's client id (deep links into the theme editor); null when the Shopify part is off. */
  appKey(): string | null;
  /** The console lets the merchant pick the form's time zone; the Shopify admin always uses the shop's. */
  picksTimeZone: boolean;
  /** After a drop changed: the embedded surface republishes the shop's drops (storefront metafield, checkout gate). */
  afterChange(storeId: string | null): Promise<void>;
  redirect(url: string): Response;
}

/** The Shopify admin: authenticated by App Bridge's session token; the shop's drops, in the shop's time zone. */
export async function shopifySurface(request: Request, context: AppLoadContext): Promise<DropsSurface> {
  const { admin, session, redirect: embeddedRedirect } = await authenticate.admin(request);
  const deps = dropsDeps(context);
  return {
    deps,
    base: "/app",
    scope: () => scopeOfShop(deps, session.shop),
    timeZone: (fallback) =>
      shopSettings(admin).then(
        (shop) => shop.timeZone,
        (error: unknown) => {
          if (fallback === undefined) throw error;
          return fallback;
        },
      ),
    picksTimeZone: false,
    appKey: () => shopifyApiKey() || null,
    afterChange: async (storeId) => void (await tryPublishShopDrops(admin, publishDeps(context), storeId)),
    // Inside the admin's iframe a plain redirect would leave the embedded context.
    redirect: (url) => embeddedRedirect(url),
  };
}

/** The console: signed in with the admin token; every drop, in the server's time zone. */
export function consoleSurface(request: Request, context: AppLoadContext): DropsSurface {
  requireConsole(request, consoleAdminToken(), Date.now());
  return {
    deps: dropsDeps(context),
    base: "/console",
    scope: async () => CONSOLE_SCOPE,
    timeZone: async () => serverTimeZone(),
    picksTimeZone: true,
    appKey: () => shopifyApiKey() || null,
    afterChange: async () => undefined,
    redirect: (url) => redirect(url),
  };
}

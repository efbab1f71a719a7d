/**
 * What installing, uninstalling and the privacy webhooks do to a Shopify shop's data in SQL.
 * Called by the afterAuth hook (app/shopify.server.ts) and the webhook routes.
 */
import type { Session } from "@shopify/shopify-api";

import type { Logger } from "../core/logger.ts";
import type { SaleService } from "../core/sales/index.ts";
import { newKeyring, sealKeyring } from "../core/secrets/index.ts";
import type { Db } from "../db/client.server.ts";
import { StoreRecords } from "../db/StoreRecords.ts";
import { saveStore, uninstallStore } from "./directory.server.ts";

const MYSHOPIFY = ".myshopify.com";

/**
 * Creates or refreshes the Store of the session's shop: the offline access token (sealed by
 * saveStore), and signing keys for its tickets, passes and hold tokens if it has none yet
 * (kept on reinstall, so tokens handed out before keep verifying). Returns the store id.
 */
export async function recordShopifyInstall(
  db: Db,
  masterKey: Buffer,
  session: Pick<Session, "shop" | "accessToken" | "isOnline" | "expires" | "refreshToken" | "refreshTokenExpires">,
): Promise<string> {
  if (session.isOnline || !session.accessToken) throw new Error(`an install needs the offline session of ${session.shop}`);
  const name = session.shop.endsWith(MYSHOPIFY) ? session.shop.slice(0, -MYSHOPIFY.length) : session.shop;
  // An expiring token comes with its expiry and a refresh token (future.expiringOfflineAccessTokens).
  const credentials = {
    accessToken: session.accessToken,
    ...(session.expires ? { expiresAt: session.expires.getTime() } : {}),
    ...(session.refreshToken ? { refreshToken: session.refreshToken } : {}),
    ...(session.refreshToken && session.refreshTokenExpires ? { refreshTokenExpiresAt: session.refreshTokenExpires.getTime() } : {}),
  };
  const storeId = await saveStore(db, masterKey, { platform: "shopify", domain: session.shop, name, credentials });
  // Only the first writer's keys count, as in SqlKeyringSource.
  await new StoreRecords(db).setSigningKeysIfNone(storeId, sealKeyring(newKeyring(), masterKey));
  return storeId;
}

export async function findShopifyStore(db: Db, shop: string): Promise<{ id: string; uninstalledAt: Date | null } | null> {
  return new StoreRecords(db).byDomain("shopify", shop);
}

/**
 * app/uninstalled: the shop's running sales end (shoppers are told at once), its sessions go
 * (the token is revoked anyway), the store is marked uninstalled. Orders and the ledger stay:
 * the merchant may reinstall, and shop/redact (48 hours later) is what erases them.
 */
export async function uninstallShopifyShop(
  deps: { db: Db; sales: SaleService; logger: Logger },
  shop: string,
): Promise<{ storeId: string | null; endedSales: string[] }> {
  const records = new StoreRecords(deps.db);
  await records.deleteSessionsOfShop(shop);
  const store = await findShopifyStore(deps.db, shop);
  if (!store) return { storeId: null, endedSales: [] };
  const endedSales: string[] = [];
  for (const id of await records.runningSaleIds(store.id)) {
    try {
      await deps.sales.end(id);
      endedSales.push(id);
    } catch (error) {
      // One broken sale must not keep the others running; the operator sees it in the logs.
      deps.logger.error("could not end a sale of an uninstalled shop", { shop, saleId: id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  await uninstallStore(deps.db, store.id);
  return { storeId: store.id, endedSales };
}

/**
 * app/scopes_update, as in Shopify's app template: the shop's offline session takes the scopes
 * the merchant granted now (`current`), so the library sees a session with fewer scopes than
 * the app asks for and sends the merchant through the grant again. False: no session to update.
 */
export async function updateShopifyScopes(db: Db, shop: string, current: readonly string[]): Promise<boolean> {
  return new StoreRecords(db).setSessionScope(`offline_${shop}`, current.join(","));
}

export interface CustomerDataReport {
  shop: string;
  customerRef: string;
  orders: { saleId: string; platformOrderRef: string; status: string; lines: unknown; createdAt: string }[];
  ledgerEntries: number;
}

/** customers/data_request's SQL part (privacy.server.ts adds each sale's Redis data): the customer's orders and ledger entries. */
export async function customerDataReport(db: Db, shop: string, customerRef: string, orderRefs: string[]): Promise<CustomerDataReport> {
  const store = await findShopifyStore(db, shop);
  const empty = { shop, customerRef, orders: [], ledgerEntries: 0 };
  if (!store) return empty;
  const records = new StoreRecords(db);
  const orders = await records.customerOrders(store.id, customerRef, orderRefs);
  const ledgerEntries = await records.customerLedgerEntries(store.id, customerRef);
  return {
    shop,
    customerRef,
    orders: orders.map((order) => ({
      ...order,
      lines: JSON.parse(order.linesJson) as unknown,
      linesJson: undefined,
      createdAt: order.createdAt.toISOString(),
    })),
    ledgerEntries,
  };
}

/** shop/redact's SQL part (48 hours after uninstall; privacy.server.ts erases Redis first): every row of the shop goes, the store last. */
export async function redactShop(db: Db, shop: string): Promise<{ storeId: string | null; sales: number }> {
  const records = new StoreRecords(db);
  await records.deleteSessionsOfShop(shop);
  const store = await findShopifyStore(db, shop);
  if (!store) return { storeId: null, sales: 0 };
  const sales = await records.erase(store.id);
  return { storeId: store.id, sales: sales.length };
}

/**
 * shop domain -> installed store id, for the app proxy's hot path: SQL once per shop per
 * `ttlMs` (an uninstall is seen within that time), never per request.
 */
export function installedShopLookup(db: Db, ttlMs = 30_000): (shop: string) => Promise<string | null> {
  const cache = new Map<string, { storeId: string | null; at: number }>();
  return async (shop) => {
    const cached = cache.get(shop);
    if (cached && Date.now() - cached.at < ttlMs) return cached.storeId;
    const store = await findShopifyStore(db, shop);
    const storeId = store && !store.uninstalledAt ? store.id : null;
    cache.set(shop, { storeId, at: Date.now() });
    return storeId;
  };
}

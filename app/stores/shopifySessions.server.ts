/**
 * The Shopify library's session storage over the store directory: an offline session's token
 * pair lives in one place, the store's sealed credentials, which the workers use too.
 *
 * - storeSession (token exchange, or the library's own refresh): the pair goes to the Store
 *   (recordShopifyInstall, sealed; a refusal mark ends), the `Session` row keeps the rest
 *   without the tokens.
 * - loadSession: the row, with the store's current pair, refreshed first when due by the
 *   keeper (one refresh per shop across processes, ahead of the library's own 5-minute
 *   margin, so the library never refreshes with a refresh token a worker already spent).
 *   A store whose refresh Shopify refused, or that still has a non-expiring token, answers
 *   no session: the merchant's next visit in the Shopify admin makes a token exchange, which
 *   brings a new expiring pair.
 * Online sessions (not used by this app) are kept as they are, sealed.
 */
import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

import { PlatformError } from "../core/platform/index.ts";
import type { Db } from "../db/client.server.ts";
import { SqlSessionStorage } from "../db/SqlSessionStorage.ts";
import type { ShopifyTokenKeeper } from "./shopifyTokens.server.ts";
import { findShopifyStore, recordShopifyInstall } from "./shopifyStores.server.ts";

export class ShopifySessionStorage implements SessionStorage {
  private readonly rows: SqlSessionStorage;

  constructor(
    private readonly db: Db,
    private readonly masterKey: Buffer,
    private readonly tokens: Pick<ShopifyTokenKeeper, "access" | "forget">,
  ) {
    this.rows = new SqlSessionStorage(db, masterKey);
  }

  async storeSession(session: Session): Promise<boolean> {
    if (session.isOnline || !session.accessToken) return this.rows.storeSession(session);
    const storeId = await recordShopifyInstall(this.db, this.masterKey, session);
    this.tokens.forget(storeId);
    const withoutTokens = new Session({ ...session.toObject(), accessToken: "" });
    withoutTokens.refreshToken = undefined;
    withoutTokens.refreshTokenExpires = undefined;
    return this.rows.storeSession(withoutTokens);
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const session = await this.rows.loadSession(id);
    if (!session || session.isOnline) return session;
    const store = await findShopifyStore(this.db, session.shop);
    // A row from before the tokens moved to the store (it keeps its own sealed token).
    if (!store || store.uninstalledAt) return session.accessToken ? session : undefined;
    let access;
    try {
      access = await this.tokens.access(store.id);
    } catch (error) {
      if (error instanceof PlatformError && error.details.code === "reauthorize") return undefined;
      throw error;
    }
    // No expiry: a token from before expiring tokens; a token exchange replaces it.
    if (!access || access.expiresAt === undefined) return undefined;
    session.accessToken = access.accessToken;
    session.expires = new Date(access.expiresAt);
    session.refreshToken = access.refreshToken;
    session.refreshTokenExpires = access.refreshTokenExpiresAt === undefined ? undefined : new Date(access.refreshTokenExpiresAt);
    return session;
  }

  deleteSession(id: string): Promise<boolean> {
    return this.rows.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.rows.deleteSessions(ids);
  }

  findSessionsByShop(shop: string): Promise<Session[]> {
    return this.rows.findSessionsByShop(shop);
  }
}

/**
 * The one keeper of each Shopify store's offline token. The token, its refresh token and both
 * expiries live sealed in the store's row (`Store.credentialsCiphertext`); the web process
 * (through the library's session storage) and every worker (write-back, order cancels, draft
 * orders, metafield publishing) take the token from here, never from a copy of their own.
 *
 * Expiring offline tokens last an hour and Shopify replaces the refresh token on every use, so
 * a token is refreshed `refreshAheadMs` before it expires, by one process at a time per shop
 * (a Redis lock): the others wait for the new pair in SQL and use it. A refresh Shopify
 * refuses (HTTP 4xx: the refresh token is invalid, expired or revoked) marks the store
 * (`tokenRefusedAt`): nothing calls its Admin API until the merchant opens the app in the
 * Shopify admin again, whose token exchange brings a new pair. Tokens are never logged.
 */
import { z } from "zod";

import { shopifyTokenRefreshLockKey } from "../core/keys.ts";
import { silentLogger, type Logger } from "../core/logger.ts";
import { PlatformError } from "../core/platform/index.ts";
import { randomId } from "../core/randomId.ts";
import type { RedisClient } from "../core/redis.ts";
import { openJson, seal } from "../core/secrets/index.ts";
import type { Db } from "../db/client.server.ts";
import { StoreRecords } from "../db/StoreRecords.ts";

/** The sealed Shopify credentials: the token pair and when each part stops working (ms since the epoch). */
export const shopifyCredentialsSchema = z
  .object({
    accessToken: z.string().min(1),
    /** Absent: a non-expiring token (installed before the app asked for expiring ones). */
    expiresAt: z.number().int().positive().optional(),
    refreshToken: z.string().min(1).optional(),
    refreshTokenExpiresAt: z.number().int().positive().optional(),
  })
  .strict();

export type ShopifyCredentials = z.infer<typeof shopifyCredentialsSchema>;

/** What Shopify's token endpoint answers (token exchange, refresh). */
export interface ShopifyTokenAnswer {
  access_token: string;
  scope?: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
}

/** The credentials a token answer stands for, its expiries counted from `now`. */
export function credentialsFromAnswer(answer: ShopifyTokenAnswer, now = Date.now()): ShopifyCredentials {
  return {
    accessToken: answer.access_token,
    ...(answer.expires_in ? { expiresAt: now + answer.expires_in * 1000 } : {}),
    ...(answer.refresh_token ? { refreshToken: answer.refresh_token } : {}),
    ...(answer.refresh_token && answer.refresh_token_expires_in ? { refreshTokenExpiresAt: now + answer.refresh_token_expires_in * 1000 } : {}),
  };
}

/** The sealing context of a store's credentials: a ciphertext opens only for its own row. */
export function credentialsContext(storeId: string): string {
  return `credentials:${storeId}`;
}

/** The app's own credentials, which Shopify's token endpoint asks for. */
export interface ShopifyAppKeys {
  apiKey: string;
  apiSecretKey: string;
}

/** The app's key and secret from SHOPIFY_API_KEY / SHOPIFY_API_SECRET (what `shopify app dev` sets), or null. */
export function shopifyAppKeysFromEnv(env: NodeJS.ProcessEnv): ShopifyAppKeys | null {
  const apiKey = env.SHOPIFY_API_KEY?.trim() ?? "";
  const apiSecretKey = env.SHOPIFY_API_SECRET?.trim() ?? "";
  return apiKey && apiSecretKey ? { apiKey, apiSecretKey } : null;
}

export type TokenFetch = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<Response>;

/** What happened to one refresh attempt, for /metrics. */
export type RefreshOutcome = "refreshed" | "refused" | "failed";

export interface ShopifyTokenKeeperOptions {
  db: Db;
  masterKey: Buffer;
  redis: RedisClient;
  /** The app's key and secret; without them a token due for refresh cannot be refreshed (a clear error says so). */
  app: ShopifyAppKeys | null;
  /** How long before expiry a token is refreshed; default 10 minutes (the library refreshes within 5). */
  refreshAheadMs?: number;
  /** How long one refresh may hold the shop's lock, and how long the others wait for it; default 30 s. */
  lockMs?: number;
  /** Tests route *.myshopify.com to the stand-in; production leaves it unset (global fetch). */
  fetchApi?: TokenFetch;
  logger?: Logger;
  /** Told when Shopify refuses a store's refresh (the directory opens the store's breaker). */
  onRefused?: (storeId: string) => void;
}

export interface ShopifyAccess {
  storeId: string;
  shop: string;
  accessToken: string;
  expiresAt?: number;
  refreshToken?: string;
  refreshTokenExpiresAt?: number;
}

/** The store cannot call Shopify until the merchant re-authorises the app. */
export const REAUTHORIZE_MESSAGE =
  "Shopify refused to renew Holdfast's access to this store. Open Holdfast from Apps in your Shopify admin to re-authorise it; until then stock write-back, order cancels and draft orders wait.";

const POLL_MS = 50;

export class ShopifyTokenKeeper {
  private readonly records: StoreRecords;
  private readonly refreshAheadMs: number;
  private readonly lockMs: number;
  private readonly logger: Logger;
  private readonly fetchApi: TokenFetch;
  private readonly cache = new Map<string, ShopifyAccess>();
  private readonly pending = new Map<string, Promise<ShopifyAccess>>();
  private readonly outcomes: Record<RefreshOutcome, number> = { refreshed: 0, refused: 0, failed: 0 };

  constructor(private readonly options: ShopifyTokenKeeperOptions) {
    this.records = new StoreRecords(options.db);
    this.refreshAheadMs = options.refreshAheadMs ?? 10 * 60_000;
    this.lockMs = options.lockMs ?? 30_000;
    this.logger = options.logger ?? silentLogger;
    this.fetchApi = options.fetchApi ?? ((url, init) => fetch(url, init));
  }

  /** Refresh attempts this process made, by outcome (for /metrics). */
  refreshCounts(): { outcome: RefreshOutcome; count: number }[] {
    return (Object.keys(this.outcomes) as RefreshOutcome[]).map((outcome) => ({ outcome, count: this.outcomes[outcome] }));
  }

  /**
   * The store's token, good for at least `refreshAheadMs` more when it expires at all;
   * refreshed first when due. Null: no installed Shopify store of that id. Throws a
   * PlatformError `unauthorized` (code `reauthorize`) while the store waits for the merchant.
   */
  async access(storeId: string): Promise<ShopifyAccess | null> {
    const cached = this.cache.get(storeId);
    if (cached && this.fresh(cached)) return cached;
    return this.once(storeId, () => this.renew(storeId, null));
  }

  /** Shopify refused `staleToken` (HTTP 401): refresh unless another process did already; returns the token to use now. */
  async refused(storeId: string, staleToken: string): Promise<ShopifyAccess | null> {
    this.cache.delete(storeId);
    return this.once(storeId, () => this.renew(storeId, staleToken));
  }

  /** Forgets this process's copy (a new pair was recorded by an install). */
  forget(storeId: string): void {
    this.cache.delete(storeId);
  }

  /** Concurrent callers in this process share one look (and at most one refresh). */
  private once(storeId: string, work: () => Promise<ShopifyAccess | null>): Promise<ShopifyAccess | null> {
    let running = this.pending.get(storeId);
    if (!running) {
      running = work().finally(() => this.pending.delete(storeId)) as Promise<ShopifyAccess>;
      this.pending.set(storeId, running);
    }
    return running;
  }

  private fresh(access: ShopifyAccess, staleToken: string | null = null): boolean {
    if (staleToken !== null && access.accessToken === staleToken) return false;
    return access.expiresAt === undefined || access.expiresAt - Date.now() > this.refreshAheadMs;
  }

  private async read(storeId: string): Promise<{ access: ShopifyAccess; refusedAt: Date | null } | null> {
    const row = await this.records.credentials(storeId);
    if (!row || row.platform !== "shopify" || row.uninstalledAt || !row.credentialsCiphertext) return null;
    const credentials = shopifyCredentialsSchema.parse(openJson(row.credentialsCiphertext, this.options.masterKey, credentialsContext(storeId)));
    return { access: { storeId, shop: row.domain, ...credentials }, refusedAt: row.tokenRefusedAt };
  }

  private async renew(storeId: string, staleToken: string | null): Promise<ShopifyAccess | null> {
    const lockKey = shopifyTokenRefreshLockKey(storeId);
    const deadline = Date.now() + this.lockMs;
    for (;;) {
      const current = await this.read(storeId);
      if (!current) {
        this.cache.delete(storeId);
        return null;
      }
      if (current.refusedAt) throw reauthorize(current.access.shop);
      if (this.fresh(current.access, staleToken)) {
        this.cache.set(storeId, current.access);
        return current.access;
      }
      if (!current.access.refreshToken) {
        // A non-expiring token Shopify refused, or an expiring one with no refresh token: only
        // a new install helps.
        if (current.access.expiresAt === undefined && staleToken === null) return current.access;
        await this.markRefused(storeId, current.access.shop, "no refresh token");
        throw reauthorize(current.access.shop);
      }
      const lock = randomId();
      if ((await this.options.redis.set(lockKey, lock, "PX", this.lockMs, "NX")) === "OK") {
        try {
          return await this.refreshHolding(storeId, staleToken);
        } finally {
          await this.options.redis.eval(RELEASE, 1, lockKey, lock).catch(() => undefined);
        }
      }
      // Another process refreshes this shop: wait for its pair (read again once the lock is gone).
      if (Date.now() >= deadline) throw new PlatformError("unavailable", `the offline token of ${current.access.shop} is being refreshed by another process`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Holding the shop's lock: read the row again (a refresh may have just finished), refresh if still due, persist sealed. */
  private async refreshHolding(storeId: string, staleToken: string | null): Promise<ShopifyAccess | null> {
    const current = await this.read(storeId);
    if (!current) return null;
    if (current.refusedAt) throw reauthorize(current.access.shop);
    if (this.fresh(current.access, staleToken)) {
      this.cache.set(storeId, current.access);
      return current.access;
    }
    const { shop, refreshToken } = current.access;
    if (!refreshToken) throw reauthorize(shop);
    const app = this.options.app;
    if (!app) {
      this.outcomes.failed++;
      throw new PlatformError("unavailable", `cannot refresh the offline token of ${shop}: set SHOPIFY_API_KEY and SHOPIFY_API_SECRET in this process`);
    }
    let response: Response;
    try {
      response = await this.fetchApi(`https://${shop}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ client_id: app.apiKey, client_secret: app.apiSecretKey, grant_type: "refresh_token", refresh_token: refreshToken }),
        signal: AbortSignal.timeout(Math.min(this.lockMs, 15_000)),
      });
    } catch (error) {
      this.outcomes.failed++;
      this.logger.warn("shopify token refresh failed", { storeId, shop, error: error instanceof Error ? error.name : "error" });
      throw new PlatformError("unavailable", `Shopify's token endpoint did not answer for ${shop}`);
    }
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      // Refused: the refresh token is invalid, expired or revoked. Body kept out of logs (it may echo what we sent).
      await response.body?.cancel().catch(() => undefined);
      await this.markRefused(storeId, shop, `HTTP ${response.status}`);
      throw reauthorize(shop);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      this.outcomes.failed++;
      this.logger.warn("shopify token refresh failed", { storeId, shop, status: response.status });
      throw new PlatformError("unavailable", `Shopify's token endpoint answered HTTP ${response.status} for ${shop}`, { status: response.status });
    }
    const answer = (await response.json()) as ShopifyTokenAnswer;
    if (typeof answer.access_token !== "string" || !answer.access_token) {
      this.outcomes.failed++;
      throw new PlatformError("unavailable", `Shopify's token endpoint answered without a token for ${shop}`);
    }
    const credentials = credentialsFromAnswer(answer);
    // The new refresh token replaces the old one; keep the old expiry only if Shopify sent none.
    const next: ShopifyCredentials = {
      ...credentials,
      ...(credentials.refreshToken
        ? {}
        : { refreshToken, ...(current.access.refreshTokenExpiresAt ? { refreshTokenExpiresAt: current.access.refreshTokenExpiresAt } : {}) }),
    };
    await this.records.setCredentials(storeId, seal(next, this.options.masterKey, credentialsContext(storeId)));
    this.outcomes.refreshed++;
    const access: ShopifyAccess = { storeId, shop, ...next };
    this.cache.set(storeId, access);
    this.logger.info("shopify offline token refreshed", {
      storeId,
      shop,
      expiresAt: next.expiresAt === undefined ? null : new Date(next.expiresAt).toISOString(),
    });
    return access;
  }

  private async markRefused(storeId: string, shop: string, reason: string): Promise<void> {
    this.outcomes.refused++;
    this.cache.delete(storeId);
    await this.records.markTokenRefused(storeId);
    this.logger.error("shopify refused to refresh the offline token; the merchant must open the app again", { storeId, shop, reason });
    this.options.onRefused?.(storeId);
  }
}

function reauthorize(shop: string): PlatformError {
  return new PlatformError("unauthorized", `${shop}: ${REAUTHORIZE_MESSAGE}`, { code: "reauthorize" });
}

const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * The store directory: which platform adapter talks to a store, built from the `Store` row
 * (platform, domain, credentials sealed with the master key) and wrapped in the store's
 * resilience policy. Workers hold this directory (the core's PlatformDirectory port), never
 * credentials; credentials are opened here, handed to the adapter and never logged.
 */
import { z } from "zod";

import { InvalidInputError } from "../core/errors/InvalidInputError.ts";
import { silentLogger, type Logger } from "../core/logger.ts";
import {
  UnknownStoreError,
  type CreatedOrder,
  type NewOrder,
  type Platform,
  type PlatformDirectory,
  type PlatformKind,
  type StockLevel,
  type StockWrite,
} from "../core/platform/index.ts";
import type { RedisClient } from "../core/redis.ts";
import { BreakerRegistry, RedisCostBudget, type BreakerSnapshot, type PlatformPolicy, type PlatformPolicyOptions } from "../core/resilience/index.ts";
import { openJson, seal } from "../core/secrets/index.ts";
import type { BreakerLookup } from "../core/queues/index.ts";
import type { Db } from "../db/client.server.ts";
import { StoreRecords } from "../db/StoreRecords.ts";
import { CustomStorePlatform } from "../platforms/custom/index.ts";
import { ShopifyPlatform, type AccessTokenSource, type ShopifyFetch } from "../platforms/shopify/index.ts";
import { WooCommercePlatform } from "../platforms/woocommerce/index.ts";
import { credentialsContext, shopifyCredentialsSchema, ShopifyTokenKeeper, type ShopifyAppKeys, type TokenFetch } from "./shopifyTokens.server.ts";

/** What each platform needs to be called; sealed in `Store.credentialsCiphertext`. */
const credentialSchemas = {
  shopify: shopifyCredentialsSchema,
  woocommerce: z
    .object({
      /** The store's home URL; default https://<domain>. */
      url: z.url({ protocol: /^https?$/ }).optional(),
      consumerKey: z.string().min(1),
      consumerSecret: z.string().min(1),
      queryStringAuth: z.boolean().optional(),
      /** The secret WooCommerce signs its webhooks with (WooCommerce > Settings > Advanced > Webhooks). */
      webhookSecret: z.string().min(16).optional(),
      /** Set by the plugin's Connect step: signs requests between the core and the plugin, both ways. */
      connectorSecret: z.string().min(32).optional(),
    })
    .strict(),
  custom: z
    .object({
      endpoint: z.url({ protocol: /^https?$/ }),
      secret: z.string().min(16),
      maxBatch: z.number().int().min(1).max(1_000).optional(),
    })
    .strict(),
} as const;

export type StoreCredentials = {
  [K in PlatformKind]: z.infer<(typeof credentialSchemas)[K]>;
};

export type NewStore = {
  [K in PlatformKind]: { platform: K; domain: string; name: string; credentials: StoreCredentials[K] };
}[PlatformKind];

const PLATFORMS = new Set<string>(Object.keys(credentialSchemas));
const DOMAIN = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:\d{1,5})?$/;

function isPlatformKind(value: string): value is PlatformKind {
  return PLATFORMS.has(value);
}

/** Checks a store's credentials for its platform; InvalidInputError (code `invalid_credentials`) names the fields, never the values. */
export function parseCredentials<K extends PlatformKind>(platform: K, credentials: unknown): StoreCredentials[K] {
  const parsed = credentialSchemas[platform].safeParse(credentials);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".") || "(credentials)"))].join(", ");
    throw new InvalidInputError("invalid_credentials", `${platform} credentials are incomplete or malformed: ${fields}`);
  }
  return parsed.data as StoreCredentials[K];
}

/**
 * Creates the store, or updates its name and credentials (matched by platform and domain),
 * sealing the credentials for this row; a store that was uninstalled is installed again.
 * Returns the store id. Used by the CLI, the tests and the Shopify install flow.
 */
export async function saveStore(db: Db, masterKey: Buffer, store: NewStore, directory?: SqlPlatformDirectory): Promise<string> {
  if (!isPlatformKind(store.platform)) throw new InvalidInputError("invalid_platform", `platform must be one of ${[...PLATFORMS].join(", ")}`);
  const domain = store.domain.trim().toLowerCase();
  if (!DOMAIN.test(domain)) throw new InvalidInputError("invalid_domain", "domain must be a host name such as shop.example.com or <shop>.myshopify.com");
  const name = store.name.trim();
  if (!name || name.length > 200) throw new InvalidInputError("invalid_name", "name must be 1-200 characters");
  if (store.platform === "shopify" && !domain.endsWith(".myshopify.com")) {
    throw new InvalidInputError("invalid_domain", "a Shopify store's domain is its <shop>.myshopify.com domain");
  }
  const credentials = parseCredentials(store.platform, store.credentials);
  const records = new StoreRecords(db);
  const storeId = await records.upsert(store.platform, domain, name);
  await records.setCredentials(storeId, seal(credentials, masterKey, credentialsContext(storeId)));
  directory?.invalidate(storeId);
  return storeId;
}

/** The WooCommerce webhook secret of an installed store, or null (unknown, uninstalled, not WooCommerce, none set). */
export async function wooWebhookSecret(db: Db, masterKey: Buffer, storeId: string): Promise<string | null> {
  const row = await new StoreRecords(db).credentials(storeId);
  if (!row || row.platform !== "woocommerce" || row.uninstalledAt || !row.credentialsCiphertext) return null;
  return parseCredentials("woocommerce", openJson(row.credentialsCiphertext, masterKey, credentialsContext(storeId))).webhookSecret ?? null;
}

/** The connector secret of an installed WooCommerce store that ran the plugin's Connect step, or null. */
export async function wooConnectorSecret(db: Db, masterKey: Buffer, storeId: string): Promise<string | null> {
  const row = await new StoreRecords(db).credentials(storeId);
  if (!row || row.platform !== "woocommerce" || row.uninstalledAt || !row.credentialsCiphertext) return null;
  return parseCredentials("woocommerce", openJson(row.credentialsCiphertext, masterKey, credentialsContext(storeId))).connectorSecret ?? null;
}

/** Marks a store uninstalled: its adapter is gone from the directory (jobs for it fail with unknown_store). */
export async function uninstallStore(db: Db, storeId: string, directory?: SqlPlatformDirectory): Promise<void> {
  await new StoreRecords(db).markUninstalled(storeId);
  directory?.invalidate(storeId);
}

export interface SqlPlatformDirectoryOptions {
  db: Db;
  masterKey: Buffer;
  /** Where Shopify cost budgets are shared between processes (RedisCostBudget). */
  redis: RedisClient;
  /** Timeout, retries, breaker settings for every store (tests shorten them). */
  policy?: Omit<PlatformPolicyOptions, "storeId" | "platform">;
  /** RedisCostBudget key prefix; tests pass their own. */
  budgetPrefix?: string;
  /** How long a built adapter is used before the row is looked at again (credential changes in other processes); default 10 s. */
  refreshMs?: number;
  logger?: Logger;
  /** Tests route *.myshopify.com to the stand-in; production leaves it unset. */
  shopifyFetch?: ShopifyFetch;
  /** The app's key and secret, to refresh expiring offline tokens (SHOPIFY_API_KEY / SHOPIFY_API_SECRET). */
  shopifyApp?: ShopifyAppKeys | null;
  /** How long before expiry an offline token is refreshed (tests shorten it); default 10 minutes. */
  tokenRefreshAheadMs?: number;
}

interface CachedAdapter {
  platform: Platform;
  ciphertext: string;
  checkedAt: number;
}

/** WooCommerce saves batch items one by one: its adapter allows 15 s per batch, so the policy's deadline sits above that. */
const WOO_POLICY_TIMEOUT_MS = 16_000;
const DEFAULT_REFRESH_MS = 10_000;

/**
 * PlatformDirectory over SQL. Adapters are cached per store and rebuilt when the sealed
 * credentials change (seen on the next look at the row, at most `refreshMs` later, or at
 * once through `invalidate`). Every call runs under one policy per (store, platform):
 * Shopify's adapter takes the policy and a Redis-shared cost budget itself (its client
 * waits for budget before each attempt); WooCommerce and custom adapters are wrapped.
 */
export class SqlPlatformDirectory implements PlatformDirectory, BreakerLookup {
  private readonly db: Db;
  private readonly masterKey: Buffer;
  private readonly redis: RedisClient;
  private readonly logger: Logger;
  private readonly refreshMs: number;
  private readonly budgetPrefix: string | undefined;
  private readonly shopifyFetch: ShopifyFetch | undefined;
  private readonly registries: Record<PlatformKind, BreakerRegistry>;
  private readonly cache = new Map<string, CachedAdapter>();
  private readonly loading = new Map<string, Promise<Platform>>();
  /** The one source of every Shopify store's offline token in this process (workers and the web's session storage). */
  readonly tokens: ShopifyTokenKeeper;

  constructor(options: SqlPlatformDirectoryOptions) {
    this.db = options.db;
    this.masterKey = options.masterKey;
    this.redis = options.redis;
    this.logger = options.logger ?? silentLogger;
    this.refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
    this.budgetPrefix = options.budgetPrefix;
    this.shopifyFetch = options.shopifyFetch;
    const policy = options.policy ?? {};
    this.registries = {
      shopify: new BreakerRegistry(policy),
      custom: new BreakerRegistry(policy),
      woocommerce: new BreakerRegistry({ ...policy, timeoutMs: Math.max(policy.timeoutMs ?? 0, WOO_POLICY_TIMEOUT_MS) }),
    };
    this.tokens = new ShopifyTokenKeeper({
      db: this.db,
      masterKey: this.masterKey,
      redis: this.redis,
      app: options.shopifyApp ?? null,
      logger: this.logger,
      ...(options.tokenRefreshAheadMs === undefined ? {} : { refreshAheadMs: options.tokenRefreshAheadMs }),
      ...(options.shopifyFetch ? { fetchApi: options.shopifyFetch as TokenFetch } : {}),
      // No call can succeed until the merchant re-authorises: hold the store's breaker open.
      onRefused: (storeId) => this.policyFor(storeId, "shopify").breaker.hold(),
    });
  }

  async forStore(storeId: string): Promise<Platform> {
    const cached = this.cache.get(storeId);
    if (cached && Date.now() - cached.checkedAt < this.refreshMs) return cached.platform;
    // Concurrent jobs for one store share one look at the row.
    let pending = this.loading.get(storeId);
    if (!pending) {
      pending = this.load(storeId).finally(() => this.loading.delete(storeId));
      this.loading.set(storeId, pending);
    }
    return pending;
  }

  /** Forgets the store's adapter; the next call reads the row again. */
  invalidate(storeId: string): void {
    this.cache.delete(storeId);
    this.tokens.forget(storeId);
  }

  /** The policy (and breaker) of a store on a platform, shared by every adapter built for it. */
  policyFor(storeId: string, platform: PlatformKind): PlatformPolicy {
    return this.registries[platform].for(storeId, platform);
  }

  /** Milliseconds until the store's breaker lets a test call through; 0 when it is not open (BreakerLookup). */
  breakerRetryAfterMs(storeId: string, platform: PlatformKind): number {
    return this.policyFor(storeId, platform).breaker.retryAfterMs;
  }

  /** Every breaker of this process, for /metrics and the dashboard. */
  breakers(): BreakerSnapshot[] {
    return Object.values(this.registries).flatMap((registry) => registry.snapshot());
  }

  private async load(storeId: string): Promise<Platform> {
    const row = await new StoreRecords(this.db).credentials(storeId);
    if (!row || row.uninstalledAt || !row.credentialsCiphertext || !isPlatformKind(row.platform)) {
      this.cache.delete(storeId);
      throw new UnknownStoreError(storeId);
    }
    // Another process saw Shopify refuse the store's token refresh (or new credentials ended that).
    const breaker = this.policyFor(storeId, row.platform).breaker;
    if (row.tokenRefusedAt) breaker.hold();
    else if (breaker.isHeld) breaker.release();
    const cached = this.cache.get(storeId);
    if (cached && cached.ciphertext === row.credentialsCiphertext) {
      cached.checkedAt = Date.now();
      return cached.platform;
    }
    const platform = this.build(storeId, row.platform, row.domain, row.credentialsCiphertext);
    this.cache.set(storeId, { platform, ciphertext: row.credentialsCiphertext, checkedAt: Date.now() });
    this.logger.info("platform adapter ready", { storeId, platform: row.platform, domain: row.domain, rebuilt: cached !== undefined });
    return platform;
  }

  private tokenSource(storeId: string): AccessTokenSource {
    const current = (access: Awaited<ReturnType<ShopifyTokenKeeper["access"]>>): string => {
      if (!access) throw new UnknownStoreError(storeId);
      return access.accessToken;
    };
    return {
      token: async () => current(await this.tokens.access(storeId)),
      refused: async (stale) => void current(await this.tokens.refused(storeId, stale)),
    };
  }

  private build(storeId: string, kind: PlatformKind, domain: string, ciphertext: string): Platform {
    const opened = openJson(ciphertext, this.masterKey, credentialsContext(storeId));
    const policy = this.policyFor(storeId, kind);
    switch (kind) {
      case "shopify": {
        // Checked here so a store with broken credentials fails at once; the token itself comes from the keeper, current at each call.
        parseCredentials("shopify", opened);
        return new ShopifyPlatform({
          shopDomain: domain,
          accessToken: this.tokenSource(storeId),
          policy,
          budget: new RedisCostBudget(this.redis, storeId, this.budgetPrefix === undefined ? {} : { keyPrefix: this.budgetPrefix }),
          logger: this.logger,
          fetchApi: this.shopifyFetch,
        });
      }
      case "woocommerce": {
        const credentials = parseCredentials("woocommerce", opened);
        const adapter = new WooCommercePlatform({
          url: credentials.url ?? `https://${domain}`,
          consumerKey: credentials.consumerKey,
          consumerSecret: credentials.consumerSecret,
          queryStringAuth: credentials.queryStringAuth,
          ...(credentials.connectorSecret ? { connectorSecret: credentials.connectorSecret } : {}),
          logger: this.logger,
        });
        return new PolicyBoundPlatform(adapter, policy);
      }
      case "custom": {
        const credentials = parseCredentials("custom", opened);
        const adapter = new CustomStorePlatform({
          endpoint: credentials.endpoint,
          secret: credentials.secret,
          maxBatch: credentials.maxBatch,
          logger: this.logger,
        });
        return new PolicyBoundPlatform(adapter, policy);
      }
    }
  }
}

/**
 * An adapter whose calls all run under a policy (retry -> breaker -> timeout). Stock reads and
 * absolute writes are safe to repeat; creating an order is not (a lost answer may hide a
 * created order), so only throttling is retried there and the job's next try looks first.
 */
export class PolicyBoundPlatform implements Platform {
  readonly kind: PlatformKind;
  readonly maxBatch: number;
  readonly relativeStockWrites: boolean;

  constructor(
    private readonly inner: Platform,
    readonly policy: PlatformPolicy,
  ) {
    this.kind = inner.kind;
    this.maxBatch = inner.maxBatch;
    this.relativeStockWrites = inner.relativeStockWrites === true;
  }

  readStock(refs: readonly string[]): Promise<StockLevel[]> {
    return this.policy.execute(() => this.inner.readStock(refs));
  }

  writeStock(writes: readonly StockWrite[], idempotencyKey: string): Promise<void> {
    return this.policy.execute(() => this.inner.writeStock(writes, idempotencyKey));
  }

  createOrder(order: NewOrder): Promise<CreatedOrder> {
    return this.policy.execute(() => this.inner.createOrder(order), { idempotent: false });
  }

  cancelOrder(platformOrderRef: string, reason: string): Promise<void> {
    return this.policy.execute(() => this.inner.cancelOrder(platformOrderRef, reason));
  }
}

import type { KeyringSource } from "../api/storefront/deps.ts";
import { newKeyring, openKeyring, sealKeyring } from "../core/secrets/index.ts";
import type { Keyring } from "../core/tokens/index.ts";
import type { Db } from "../db/client.server.ts";
import { StoreRecords } from "../db/StoreRecords.ts";

/** The store that owns sales made without a platform: the demo and headless storefronts. */
export const STANDALONE_STORE = { platform: "custom", domain: "standalone", name: "Standalone" } as const;

const REFRESH_MS = 60_000;

/**
 * Signing keys per store, sealed in SQL with the master key and kept in memory: the hot
 * path reads SQL once per store per minute (so a rotation reaches every process within a
 * minute), never per request.
 */
export class SqlKeyringSource implements KeyringSource {
  private readonly cache = new Map<string, { keyring: Keyring; loadedAt: number; loading: Promise<Keyring> | null }>();

  constructor(
    private readonly db: Db,
    private readonly masterKey: Buffer,
  ) {}

  /** Synchronous once a store's keys are in memory, so a status poll never waits on a promise. */
  forStore(storeId: string | null): Keyring | Promise<Keyring> {
    const cacheKey = storeId ?? "";
    const entry = this.cache.get(cacheKey);
    if (!entry) return this.loadFirst(cacheKey, storeId);
    if (entry.loading === null && Date.now() - entry.loadedAt >= REFRESH_MS) {
      // Keep answering with the keys we have while the refresh runs.
      const loading = this.load(storeId);
      entry.loading = loading;
      loading.then(
        (keyring) => Object.assign(entry, { keyring, loadedAt: Date.now(), loading: null }),
        () => Object.assign(entry, { loading: null }),
      );
    }
    return entry.keyring;
  }

  private async loadFirst(cacheKey: string, storeId: string | null): Promise<Keyring> {
    const keyring = await this.load(storeId);
    // Two first requests may both load; the first to finish wins, so every caller sees one keyring object.
    const settled = this.cache.get(cacheKey);
    if (settled) return settled.keyring;
    this.cache.set(cacheKey, { keyring, loadedAt: Date.now(), loading: null });
    return keyring;
  }

  private async load(storeId: string | null): Promise<Keyring> {
    const records = new StoreRecords(this.db);
    const id = storeId ?? (await records.ensure(STANDALONE_STORE.platform, STANDALONE_STORE.domain, STANDALONE_STORE.name));
    const sealed = await records.signingKeys(id);
    if (sealed) return openKeyring(sealed, this.masterKey);
    // Only the first writer's keys count, so two processes starting together agree.
    await records.setSigningKeysIfNone(id, sealKeyring(newKeyring(), this.masterKey));
    return openKeyring((await records.signingKeys(id)) as string, this.masterKey);
  }
}

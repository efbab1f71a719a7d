import type { KeyringSource } from "../api/storefront/deps.ts";
import { newKeyring, openKeyring, sealKeyring } from "../core/secrets/index.ts";
import type { Keyring } from "../core/tokens/index.ts";
import type { Db } from "../db/client.server.ts";

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
    const store = storeId
      ? await this.db.store.findUnique({ where: { id: storeId } })
      : await this.db.store.upsert({
          where: { platform_domain: { platform: STANDALONE_STORE.platform, domain: STANDALONE_STORE.domain } },
          create: { ...STANDALONE_STORE },
          update: {},
        });
    if (!store) throw new Error(`store ${storeId} does not exist`);
    if (store.signingKeysCiphertext) return openKeyring(store.signingKeysCiphertext, this.masterKey);
    const keyring = newKeyring();
    // Only the first writer's keys count, so two processes starting together agree.
    await this.db.store.updateMany({
      where: { id: store.id, signingKeysCiphertext: null },
      data: { signingKeysCiphertext: sealKeyring(keyring, this.masterKey) },
    });
    const saved = await this.db.store.findUniqueOrThrow({ where: { id: store.id } });
    return openKeyring(saved.signingKeysCiphertext as string, this.masterKey);
  }
}

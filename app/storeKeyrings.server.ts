import type { KeyringSource } from "./api/storefront/deps.ts";
import { newKeyring, openKeyring, sealKeyring } from "./core/secrets/index.ts";
import type { Keyring } from "./core/tokens/index.ts";
import type { Db } from "./db.server.ts";

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

  async forStore(storeId: string | null): Promise<Keyring> {
    const cacheKey = storeId ?? "";
    const entry = this.cache.get(cacheKey);
    if (entry && Date.now() - entry.loadedAt < REFRESH_MS) return entry.keyring;
    if (entry?.loading) return entry.keyring;
    const loading = this.load(storeId);
    if (entry) {
      // Keep answering with the keys we have while the refresh runs.
      entry.loading = loading;
      loading.then(
        (keyring) => Object.assign(entry, { keyring, loadedAt: Date.now(), loading: null }),
        () => Object.assign(entry, { loading: null }),
      );
      return entry.keyring;
    }
    const keyring = await loading;
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

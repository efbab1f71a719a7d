import type { Platform } from "./Platform.ts";

/**
 * Finds the adapter for one store: the workers (write-back, platform calls, checkout,
 * reconciliation) hold a directory, never credentials. The app's implementation reads the
 * store from SQL, unseals its credentials and wraps the adapter in the store's resilience
 * policy (timeout, retry, breaker per store and platform).
 */
export interface PlatformDirectory {
  /** Throws UnknownStoreError when the store does not exist or was uninstalled. */
  forStore(storeId: string): Promise<Platform>;
}

export class UnknownStoreError extends Error {
  readonly code = "unknown_store";
  constructor(readonly storeId: string) {
    super(`store ${storeId} is not installed (reinstall the app or reconnect the store, then replay the job)`);
    this.name = "UnknownStoreError";
  }
}

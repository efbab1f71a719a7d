export { parseLedgerEntry } from "./ledgerEntries.ts";
export { LedgerPersister, type LedgerPersisterOptions, type SalePersistResult } from "./LedgerPersister.ts";
export type { LedgerEntry, LedgerSaleSource, LedgerStore } from "./LedgerStore.ts";
export { compareStreamIds, maxStreamId, nextStreamId, parseStreamId } from "./streamIds.ts";

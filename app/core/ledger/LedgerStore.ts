import type { Line } from "../inventory/index.ts";

/** One entry of a sale's ledger stream (written by inventory/lua/includes/ledger.lua). */
export interface LedgerEntry {
  /** The stream entry id, "<ms>-<seq>". */
  streamId: string;
  /** allocate | reserve | release | expire | commit | take | adjust */
  type: string;
  occurredAt: number;
  holdId: string | null;
  orderRef: string | null;
  customerRef: string | null;
  lines: Line[];
}

/**
 * Where the ledger is kept durably (SQL `LedgerEvent` through Prisma in the app:
 * app/db/PrismaLedgerStore.ts). Writes are idempotent by (saleId, streamId).
 */
export interface LedgerStore {
  /** The greatest stream id persisted for the sale (in stream order), or null. */
  lastStreamId(saleId: string): Promise<string | null>;
  /** Stores entries not stored yet; returns how many were new. */
  append(saleId: string, entries: readonly LedgerEntry[]): Promise<number>;
}

/** The sales whose ledger streams the persister follows. */
export interface LedgerSaleSource {
  salesWithLedger(): Promise<string[]>;
}

import type { Line } from "../inventory/index.ts";

/** One event of a sale's ledger stream (written by inventory/lua/includes/ledger.lua): a stream entry, or one hold of a batched one. */
export interface LedgerEntry {
  /** The stream entry id, "<ms>-<seq>" (a replacement's events keep the id they had: see parseLedgerEntry). */
  streamId: string;
  /** The event's place in its stream entry: 0, or 0.. for the holds of one batched reserve call. */
  part: number;
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
 * app/db/PrismaLedgerStore.ts). Writes are idempotent by (saleId, streamId, part), and the
 * events of one stream entry are stored together or not at all (a resume starts after the
 * last stream id stored).
 */
export interface LedgerStore {
  /** The greatest stream id persisted for the sale (in stream order), or null. */
  lastStreamId(saleId: string): Promise<string | null>;
  /** Stores events not stored yet; returns how many were new. */
  append(saleId: string, entries: readonly LedgerEntry[]): Promise<number>;
}

/** The sales whose ledger streams the persister follows. */
export interface LedgerSaleSource {
  salesWithLedger(): Promise<string[]>;
}

import type { Line } from "../inventory/index.ts";
import type { SoldUnitsSource } from "../orders/index.ts";

/** A sale item that has a twin on the store's platform. */
export interface SyncItem {
  itemId: string;
  /** The adapter's stock reference (see Platform.StockRef). */
  platformRef: string;
}

export interface SyncSale {
  saleId: string;
  storeId: string;
  /** Items with a platform reference; items without one are Holdfast-only and never written. */
  items: SyncItem[];
}

/**
 * What the write-back and the reconciliation need to know from the durable sale records
 * (SQL through Prisma in the app: app/db/PrismaSyncCatalog.ts).
 */
export interface SyncCatalog {
  /** Sales whose stock is written back now: linked to a store, and pre-queue, live, paused or recently ended. */
  salesToSync(): Promise<string[]>;
  /** The sale's store and platform references; null when the sale is unknown or has no store. */
  sale(saleId: string): Promise<SyncSale | null>;
  /** The items of the store's syncing sales that stand for `platformRef`, most recent sale first. */
  itemsForRef(storeId: string, platformRef: string): Promise<{ saleId: string; itemId: string }[]>;
}

/** A persisted ledger entry, as reconciliation replays it. */
export interface PersistedLedgerEntry {
  streamId: string;
  type: string;
  lines: Line[];
}

/** The durable history reconciliation compares Redis with; units sold come from the one SQL count (core/orders/soldUnits.ts). */
export interface SaleHistory extends SoldUnitsSource {
  /** Every persisted ledger entry of the sale, in stream order. */
  ledger(saleId: string): Promise<PersistedLedgerEntry[]>;
}

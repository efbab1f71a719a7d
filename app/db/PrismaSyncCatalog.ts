// The write-back's and reconciliation's view of the durable sale records (SyncCatalog and
// SaleHistory ports) over Prisma, SQLite or PostgreSQL.
import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { Line } from "../core/inventory/index.ts";
import { compareStreamIds } from "../core/ledger/index.ts";
import type { PersistedLedgerEntry, SaleHistory, SyncCatalog, SyncSale, WriteBackEntry, WriteBackJournal } from "../core/sync/index.ts";
import type { SoldUnits } from "../core/orders/index.ts";
import type { Db } from "./client.server.ts";
import { PrismaSoldUnits } from "./PrismaSoldUnits.ts";

/** Sales whose stock moves: the pre-queue takes no stock, but holds start with the sale and a paused sale still commits. */
const SYNCING_STATES = ["prequeue", "live", "paused"];
/** Sales an order for a drop item belongs to: the syncing ones, and scheduled ones (an early order is a bypass of that drop). */
const ORDER_TAKING_STATES = ["scheduled", ...SYNCING_STATES];

/** A drop item and the platform reference it sells. */
export interface DropItemRef {
  saleId: string;
  itemId: string;
  platformRef: string;
}

export interface PrismaSyncCatalogOptions {
  /** How long after a sale ended its stock is still written back (late commits, expiries); default 1 day. */
  followEndedForMs?: number;
  clock?: Clock;
}

export class PrismaSyncCatalog implements SyncCatalog, SaleHistory {
  private readonly followEndedForMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly db: Db,
    options: PrismaSyncCatalogOptions = {},
  ) {
    this.followEndedForMs = options.followEndedForMs ?? 24 * 60 * 60 * 1_000;
    this.clock = options.clock ?? systemClock;
  }

  private syncingWhere(states: string[] = SYNCING_STATES) {
    const endedSince = new Date(this.clock.now() - this.followEndedForMs);
    return {
      storeId: { not: null },
      store: { uninstalledAt: null },
      OR: [{ state: { in: states } }, { state: "ended", updatedAt: { gte: endedSince } }],
    };
  }

  async salesToSync(): Promise<string[]> {
    const rows = await this.db.sale.findMany({
      where: { ...this.syncingWhere(), items: { some: { platformRef: { not: null } } } },
      select: { id: true },
      orderBy: { id: "asc" },
    });
    return rows.map((row) => row.id);
  }

  async sale(saleId: string): Promise<SyncSale | null> {
    const row = await this.db.sale.findUnique({
      where: { id: saleId },
      select: { storeId: true, items: { where: { platformRef: { not: null } }, select: { id: true, platformRef: true }, orderBy: { position: "asc" } } },
    });
    if (!row?.storeId) return null;
    return { saleId, storeId: row.storeId, items: row.items.map((item) => ({ itemId: item.id, platformRef: item.platformRef as string })) };
  }

  /** The drop items of one platform reference that an order can belong to, the most recently started sale first. */
  async itemsForRef(storeId: string, platformRef: string): Promise<{ saleId: string; itemId: string }[]> {
    return (await this.orderableItems(storeId, platformRef)).map(({ saleId, itemId }) => ({ saleId, itemId }));
  }

  /**
   * Every drop item of the store an order can belong to, by the same rules as itemsForRef
   * (scheduled, selling, or ended within followEndedForMs; most recently started sale first),
   * so Shopify's and WooCommerce's orders map to drops alike.
   */
  async dropItems(storeId: string): Promise<DropItemRef[]> {
    return this.orderableItems(storeId, null);
  }

  private async orderableItems(storeId: string, platformRef: string | null): Promise<DropItemRef[]> {
    const rows = await this.db.saleItem.findMany({
      where: { platformRef: platformRef ?? { not: null }, sale: { ...this.syncingWhere(ORDER_TAKING_STATES), storeId } },
      select: { id: true, saleId: true, platformRef: true, sale: { select: { startsAt: true, createdAt: true } } },
    });
    const started = (row: (typeof rows)[number]) => (row.sale.startsAt ?? row.sale.createdAt).getTime();
    return rows.sort((a, b) => started(b) - started(a)).map((row) => ({ saleId: row.saleId, itemId: row.id, platformRef: row.platformRef as string }));
  }

  async ledger(saleId: string): Promise<PersistedLedgerEntry[]> {
    const rows = await this.db.ledgerEvent.findMany({ where: { saleId }, select: { streamId: true, type: true, linesJson: true }, orderBy: { id: "asc" } });
    // Rows arrive in stream order except a replacement's (stored under an earlier stream id,
    // see core/ledger parseLedgerEntry): a stable sort by stream id puts them back, and keeps
    // the events of one entry in the order they were inserted (their parts).
    return rows
      .map((row) => ({ streamId: row.streamId, type: row.type, lines: JSON.parse(row.linesJson) as Line[] }))
      .sort((a, b) => compareStreamIds(a.streamId, b.streamId));
  }

  /** Units sold per item, every kind of order (the one query: PrismaSoldUnits). */
  soldUnits(saleId: string): Promise<SoldUnits> {
    return new PrismaSoldUnits(this.db).soldUnits(saleId);
  }
}

/** The write-back's audit trail in SQL (`WriteBackLog`). */
export class PrismaWriteBackJournal implements WriteBackJournal {
  constructor(private readonly db: Db) {}

  async record(entry: WriteBackEntry): Promise<void> {
    await this.db.writeBackLog.create({ data: { ...entry, error: entry.error?.slice(0, 1_000) ?? null } });
  }

  async prune(before: Date): Promise<number> {
    const { count } = await this.db.writeBackLog.deleteMany({ where: { createdAt: { lt: before } } });
    return count;
  }

  /** The sale's latest calls, newest first. */
  async latest(saleId: string, limit = 20) {
    return this.db.writeBackLog.findMany({ where: { saleId }, orderBy: { id: "desc" }, take: limit });
  }
}

// The LedgerStore and LedgerSaleSource ports over Prisma (SQLite or PostgreSQL).
import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { maxStreamId, type LedgerEntry, type LedgerSaleSource, type LedgerStore } from "../core/ledger/index.ts";
import { isUniqueViolation, type Db } from "./client.server.ts";

export interface PrismaLedgerStoreOptions {
  /** How long after a sale ended its stream is still followed (late commits, expiries); default 7 days. */
  followEndedForMs?: number;
  clock?: Clock;
}

export class PrismaLedgerStore implements LedgerStore, LedgerSaleSource {
  private readonly followEndedForMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly db: Db,
    options: PrismaLedgerStoreOptions = {},
  ) {
    this.followEndedForMs = options.followEndedForMs ?? 7 * 24 * 60 * 60 * 1_000;
    this.clock = options.clock ?? systemClock;
  }

  async lastStreamId(saleId: string): Promise<string | null> {
    // As text, "<ms>-<seq>" sorts right by the millisecond part (13 digits from 2001 to 2286)
    // but not by the sequence ("…-10" < "…-9"): find the greatest millisecond, then compare
    // the few entries of that millisecond as numbers.
    const top = await this.db.ledgerEvent.findFirst({ where: { saleId }, orderBy: { streamId: "desc" }, select: { streamId: true } });
    if (top === null) return null;
    const ms = top.streamId.slice(0, top.streamId.indexOf("-"));
    const sameMs = await this.db.ledgerEvent.findMany({ where: { saleId, streamId: { startsWith: `${ms}-` } }, select: { streamId: true } });
    return maxStreamId(sameMs.map((row) => row.streamId));
  }

  async append(saleId: string, entries: readonly LedgerEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const stored = await this.db.ledgerEvent.findMany({
      where: { saleId, streamId: { in: entries.map((entry) => entry.streamId) } },
      select: { streamId: true },
    });
    const known = new Set(stored.map((row) => row.streamId));
    const fresh = entries.filter((entry) => !known.has(entry.streamId));
    if (fresh.length === 0) return 0;
    try {
      const { count } = await this.db.ledgerEvent.createMany({ data: fresh.map((entry) => columnsOf(saleId, entry)) });
      return count;
    } catch (error) {
      // Another persister stored some of them meanwhile: fall back to one idempotent write each.
      if (!isUniqueViolation(error)) throw error;
      let created = 0;
      for (const entry of fresh) {
        try {
          await this.db.ledgerEvent.create({ data: columnsOf(saleId, entry) });
          created += 1;
        } catch (rowError) {
          if (!isUniqueViolation(rowError)) throw rowError;
        }
      }
      return created;
    }
  }

  /** Every sale that may have a stream: set up in Redis (not a draft), and not ended long ago. */
  async salesWithLedger(): Promise<string[]> {
    const endedSince = new Date(this.clock.now() - this.followEndedForMs);
    const rows = await this.db.sale.findMany({
      where: { state: { not: "draft" }, OR: [{ state: { not: "ended" } }, { updatedAt: { gte: endedSince } }] },
      select: { id: true },
      orderBy: { id: "asc" },
    });
    return rows.map((row) => row.id);
  }
}

function columnsOf(saleId: string, entry: LedgerEntry) {
  return {
    saleId,
    streamId: entry.streamId,
    type: entry.type,
    holdId: entry.holdId,
    orderRef: entry.orderRef,
    customerRef: entry.customerRef,
    linesJson: JSON.stringify(entry.lines),
    occurredAt: new Date(entry.occurredAt),
  };
}

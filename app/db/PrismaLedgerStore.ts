// The LedgerStore and LedgerSaleSource ports over Prisma (SQLite or PostgreSQL).
import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { maxStreamId, type LedgerEntry, type LedgerSaleSource, type LedgerStore } from "../core/ledger/index.ts";
import { databaseKindOfDb, type Db } from "./client.server.ts";
import { valuesClause, type RawValue } from "./rawRows.ts";

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

  /**
   * One multi-row `INSERT … ON CONFLICT DO NOTHING` per batch, on both databases: events
   * another persister stored meanwhile are skipped by the unique (saleId, streamId, part)
   * index in the same statement, instead of a failed batch and one insert per row. (Prisma's
   * `createMany({ skipDuplicates })` is the same statement on PostgreSQL but does not exist
   * on SQLite.) Returns how many events were new.
   */
  async append(saleId: string, entries: readonly LedgerEntry[]): Promise<number> {
    let created = 0;
    for (const chunk of statementChunks(entries)) {
      const values = valuesClause(
        databaseKindOfDb(this.db),
        chunk.map((entry) => {
          const row = columnsOf(saleId, entry);
          return LEDGER_COLUMNS.map((column) => row[column]);
        }),
      );
      created += await this.db.$executeRawUnsafe(
        `INSERT INTO "LedgerEvent" (${LEDGER_COLUMNS.map((column) => `"${column}"`).join(", ")}) ${values.sql} ON CONFLICT ("saleId", "streamId", "part") DO NOTHING`,
        ...values.parameters,
      );
    }
    return created;
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

const ROWS_PER_STATEMENT = 1_000;
const LEDGER_COLUMNS = ["saleId", "streamId", "part", "type", "holdId", "orderRef", "customerRef", "linesJson", "occurredAt"] as const;

/**
 * Up to ROWS_PER_STATEMENT rows a statement, which keeps its parameters far below both
 * databases' limits (PostgreSQL: 65,535), cut only between stream entries: the events of
 * one entry are stored by one statement or not at all, since a persister that stopped
 * between two statements resumes after the greatest stream id stored (LedgerStore).
 */
function statementChunks(entries: readonly LedgerEntry[]): LedgerEntry[][] {
  const splitsEntry = (at: number) => at < entries.length && entries[at]?.streamId === entries[at - 1]?.streamId;
  const chunks: LedgerEntry[][] = [];
  let start = 0;
  while (start < entries.length) {
    const full = Math.min(start + ROWS_PER_STATEMENT, entries.length);
    let end = full;
    while (end > start && splitsEntry(end)) end -= 1;
    // One entry longer than a chunk (more holds than a reserve call ever carries) goes whole.
    if (end === start) {
      end = full;
      while (splitsEntry(end)) end += 1;
    }
    chunks.push(entries.slice(start, end));
    start = end;
  }
  return chunks;
}

function columnsOf(saleId: string, entry: LedgerEntry): Record<(typeof LEDGER_COLUMNS)[number], RawValue> {
  return {
    saleId,
    streamId: entry.streamId,
    part: entry.part,
    type: entry.type,
    holdId: entry.holdId,
    orderRef: entry.orderRef,
    customerRef: entry.customerRef,
    linesJson: JSON.stringify(entry.lines),
    occurredAt: new Date(entry.occurredAt),
  };
}

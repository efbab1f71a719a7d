// The OrderRepository port over Prisma with the SQL of concurrent order jobs shared: the jobs
// one worker process runs at once look up and write their orders in common statements.
import { randomUUID } from "node:crypto";

import { systemClock, type Clock } from "../core/clock.ts";
import type { OrderRecord, OrderRepository, OrderSale } from "../core/orders/index.ts";
import { databaseKindOfDb, type DatabaseKind, type Db } from "./client.server.ts";
import { orderColumns, PrismaOrderRepository, toRecord } from "./PrismaOrderRepository.ts";
import { valuesClause, type RawValue } from "./rawRows.ts";

/**
 * How long a sale's store and bypass policy are reused once read: a merchant's change of the
 * bypass policy applies to orders processed at most this long after it (docs/architecture.md).
 */
export const SALE_CACHE_MS = 1_000;

export interface BatchedOrderRepositoryOptions {
  /** Most orders one statement carries; default 500. */
  maxRows?: number;
  /** See SALE_CACHE_MS (the default). */
  saleCacheMs?: number;
  clock?: Clock;
  /** Told about every flush: how many finds and saves it carried, and whether it had to go row by row. */
  onFlush?: (flush: FlushReport) => void;
}

export interface FlushReport {
  finds: number;
  saves: number;
  /** The shared statement failed and its rows were retried one at a time. */
  retriedSingly: boolean;
}

interface PendingFind {
  kind: "find";
  key: string;
  saleId: string;
  platformOrderRef: string;
  resolve: (record: OrderRecord | null) => void;
  reject: (error: unknown) => void;
}

interface PendingSave {
  kind: "save";
  key: string;
  order: OrderRecord;
  resolve: () => void;
  reject: (error: unknown) => void;
}

type Pending = PendingFind | PendingSave;

const ORDER_COLUMNS = [
  "id",
  "saleId",
  "platformOrderRef",
  "status",
  "holdId",
  "customerRef",
  "linesJson",
  "bypass",
  "bypassLinesJson",
  "oversoldLinesJson",
  "createdAt",
  "updatedAt",
] as const;
/** What a repeated save replaces: everything save() owns except the key, the id and createdAt. */
const UPDATED_COLUMNS = ORDER_COLUMNS.filter((column) => !["id", "saleId", "platformOrderRef", "createdAt"].includes(column));

/**
 * Coalesces `find` calls into one `findMany` and `save` calls into one multi-row
 * `INSERT … ON CONFLICT DO UPDATE` (both databases have it). A flush starts as soon as nothing
 * is in flight, with whatever has queued up meanwhile (at most `maxRows` orders): no timer, so
 * a lone job waits for no one, and under load each flush carries what arrived during the last.
 *
 * Guarantees kept:
 * - save() resolves only after its row is committed (the statement returned), so a job
 *   completes only once its order is durable;
 * - calls on the same order run in call order: a flush ends before the second call on an order
 *   it already carries, so a find after a save sees it (and one order never appears twice in a
 *   statement, which PostgreSQL's ON CONFLICT DO UPDATE forbids);
 * - a statement is all or nothing; when it fails, its rows are retried one at a time through
 *   PrismaOrderRepository, so only the calls whose own row fails reject: none is dropped.
 *
 * Exactly-once stays where it was: the processor's per-order lock and Redis decide what an
 * event does; this class only changes how the rows travel.
 */
export class BatchedOrderRepository implements OrderRepository {
  private readonly single: PrismaOrderRepository;
  private readonly kind: DatabaseKind;
  private readonly maxRows: number;
  private readonly saleCacheMs: number;
  private readonly clock: Clock;
  private readonly onFlush: ((flush: FlushReport) => void) | undefined;
  private readonly sales = new Map<string, { sale: Promise<OrderSale | null>; until: number }>();
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly db: Db,
    options: BatchedOrderRepositoryOptions = {},
  ) {
    this.single = new PrismaOrderRepository(db);
    this.kind = databaseKindOfDb(db);
    this.maxRows = options.maxRows ?? 500;
    this.saleCacheMs = options.saleCacheMs ?? SALE_CACHE_MS;
    this.clock = options.clock ?? systemClock;
    this.onFlush = options.onFlush;
  }

  /** Read once per sale per saleCacheMs; a missing sale or a failed read is not kept. */
  findSale(saleId: string): Promise<OrderSale | null> {
    const now = this.clock.now();
    const cached = this.sales.get(saleId);
    if (cached !== undefined && cached.until > now) return cached.sale;
    if (this.sales.size >= 1_000) for (const [id, entry] of this.sales) if (entry.until <= now) this.sales.delete(id);
    const sale = this.single.findSale(saleId);
    this.sales.set(saleId, { sale, until: now + this.saleCacheMs });
    const forget = () => {
      if (this.sales.get(saleId)?.sale === sale) this.sales.delete(saleId);
    };
    sale.then((found) => (found === null ? forget() : undefined), forget);
    return sale;
  }

  find(saleId: string, platformOrderRef: string): Promise<OrderRecord | null> {
    return new Promise((resolve, reject) => this.enqueue({ kind: "find", key: keyOf(saleId, platformOrderRef), saleId, platformOrderRef, resolve, reject }));
  }

  save(order: OrderRecord): Promise<void> {
    return new Promise((resolve, reject) => this.enqueue({ kind: "save", key: keyOf(order.saleId, order.platformOrderRef), order, resolve, reject }));
  }

  private enqueue(pending: Pending): void {
    this.queue.push(pending);
    if (this.flushing) return;
    this.flushing = true;
    // A microtask, not a timer: calls made in the same turn join the first flush, at no delay.
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      try {
        await this.flush(this.nextBatch());
      } catch {
        // flush() settles every call it took even when the report hook throws; nothing else throws.
      }
    }
    this.flushing = false;
  }

  /** The longest head of the queue with no order twice, at most maxRows long. */
  private nextBatch(): Pending[] {
    const keys = new Set<string>();
    let length = 0;
    while (length < this.queue.length && length < this.maxRows && !keys.has(this.queue[length]!.key)) {
      keys.add(this.queue[length]!.key);
      length += 1;
    }
    return this.queue.splice(0, length);
  }

  private async flush(batch: Pending[]): Promise<void> {
    const finds = batch.filter((pending): pending is PendingFind => pending.kind === "find");
    const saves = batch.filter((pending): pending is PendingSave => pending.kind === "save");
    // Different orders: the lookup and the write are independent.
    const [found, saved] = await Promise.all([this.findAll(finds), this.saveAll(saves)]);
    try {
      // Reported before any caller hears back, so a caller that awaited its call sees the report.
      this.onFlush?.({ finds: finds.length, saves: saves.length, retriedSingly: found.retriedSingly || saved.retriedSingly });
    } finally {
      finds.forEach((find, index) => settle(found.outcomes[index]!, find.resolve, find.reject));
      saves.forEach((save, index) => settle(saved.outcomes[index]!, save.resolve, save.reject));
    }
  }

  /** Each find's answer, from one shared lookup, or one lookup each when the shared one failed. */
  private async findAll(finds: PendingFind[]): Promise<FlushOutcomes<OrderRecord | null>> {
    if (finds.length === 0) return { outcomes: [], retriedSingly: false };
    let rows: Awaited<ReturnType<Db["order"]["findMany"]>>;
    try {
      const refsBySale = new Map<string, string[]>();
      for (const find of finds) refsBySale.set(find.saleId, [...(refsBySale.get(find.saleId) ?? []), find.platformOrderRef]);
      rows = await this.db.order.findMany({
        where: { OR: [...refsBySale].map(([saleId, refs]) => ({ saleId, platformOrderRef: { in: refs } })) },
      });
    } catch {
      return { outcomes: await Promise.all(finds.map((find) => outcomeOf(() => this.single.find(find.saleId, find.platformOrderRef)))), retriedSingly: true };
    }
    const byKey = new Map(rows.map((row) => [keyOf(row.saleId, row.platformOrderRef), row]));
    const outcomes = await Promise.all(
      finds.map((find) =>
        outcomeOf(async () => {
          const row = byKey.get(find.key);
          return row === undefined ? null : toRecord(row);
        }),
      ),
    );
    return { outcomes, retriedSingly: false };
  }

  /** Each save's result, from one shared statement, or one write each when the shared one failed. */
  private async saveAll(saves: PendingSave[]): Promise<FlushOutcomes<void>> {
    if (saves.length === 0) return { outcomes: [], retriedSingly: false };
    try {
      await this.upsert(saves.map((save) => save.order));
    } catch {
      // All or nothing: no row of the statement was written. Alone, only a bad row fails.
      return { outcomes: await Promise.all(saves.map((save) => outcomeOf(() => this.single.save(save.order)))), retriedSingly: true };
    }
    return { outcomes: saves.map(() => ({ ok: true, value: undefined })), retriedSingly: false };
  }

  private async upsert(orders: OrderRecord[]): Promise<void> {
    const now = new Date(this.clock.now());
    // Key order, so two processes' statements lock rows in the same order (no deadlock).
    const sorted = [...orders].sort((a, b) => compareKeys(keyOf(a.saleId, a.platformOrderRef), keyOf(b.saleId, b.platformOrderRef)));
    const rows = sorted.map((order): RawValue[] => {
      const columns = orderColumns(order);
      return [
        randomUUID(),
        order.saleId,
        order.platformOrderRef,
        columns.status,
        columns.holdId,
        columns.customerRef,
        columns.linesJson,
        columns.bypass,
        columns.bypassLinesJson,
        columns.oversoldLinesJson,
        now,
        now,
      ];
    });
    const values = valuesClause(this.kind, rows);
    await this.db.$executeRawUnsafe(
      `INSERT INTO "Order" (${ORDER_COLUMNS.map((column) => `"${column}"`).join(", ")}) ${values.sql} ` +
        `ON CONFLICT ("saleId", "platformOrderRef") DO UPDATE SET ${UPDATED_COLUMNS.map((column) => `"${column}" = excluded."${column}"`).join(", ")}`,
      ...values.parameters,
    );
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface FlushOutcomes<T> {
  outcomes: Outcome<T>[];
  retriedSingly: boolean;
}

async function outcomeOf<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

function settle<T>(outcome: Outcome<T>, resolve: (value: T) => void, reject: (error: unknown) => void): void {
  if (outcome.ok) resolve(outcome.value);
  else reject(outcome.error);
}

function keyOf(saleId: string, platformOrderRef: string): string {
  return JSON.stringify([saleId, platformOrderRef]);
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

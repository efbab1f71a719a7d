import type { HoldEngine, ItemCounters } from "../inventory/index.ts";
import { saleInventoryKeys } from "../keys.ts";
import { compareStreamIds, maxStreamId, parseLedgerEntry } from "../ledger/index.ts";
import { silentLogger, type Logger } from "../logger.ts";
import { UnknownStoreError, type PlatformDirectory } from "../platform/index.ts";
import type { RedisClient } from "../redis.ts";
import { writeBackKeys } from "../keys.ts";
import { writtenValue } from "./writtenValue.ts";
import { lastLedgerId } from "./ledgerCursor.ts";
import type { FlushResult, StockWriteBack } from "./StockWriteBack.ts";
import type { PersistedLedgerEntry, SaleHistory, SyncCatalog } from "./SyncCatalog.ts";

/**
 * Kinds of drift, each a comparison with Redis (authoritative during a sale):
 *   invariant  available + held + sold != allocated, or a counter below zero
 *   ledger     Redis counters differ from the ledger replayed (SQL, plus the stream not yet persisted)
 *   orders     units sold in Redis differ from the units SQL says sold (core/orders/soldUnits.ts)
 *   platform   the platform's available differs from Holdfast's (and no write-back is pending)
 *   platform_missing  the platform does not know the item's reference
 *   refused    the platform refused writes for the item (set aside by the write-back)
 */
export type DriftKind = "invariant" | "ledger" | "orders" | "platform" | "platform_missing" | "refused";

export interface Drift {
  kind: DriftKind;
  message: string;
}

export interface ItemReconciliation {
  itemId: string;
  platformRef: string | null;
  redis: ItemCounters;
  ledger: ItemCounters;
  /** Units sold according to SQL (orders of every kind, and ledger sales no order explains). */
  ordersSold: number;
  /** The platform's available count; null when not read (no reference, store gone) or unknown there. */
  platform: number | null;
  /** The write-back has not written the current count yet (a flush is due): platform drift is expected. */
  writeBackPending: boolean;
  drift: Drift[];
}

export interface Reconciliation {
  saleId: string;
  storeId: string | null;
  checkedAt: string;
  /** The ledger stream position the counters were read at. */
  ledgerId: string;
  /** False when the sale kept changing during the check (the comparison may show passing drift). */
  settled: boolean;
  /** Ledger events still only in the Redis stream (not yet persisted to SQL); a batched entry counts each of its holds. */
  ledgerUnpersisted: number;
  /** Why the platform was not read, if it was not. */
  platformSkipped: string | null;
  items: ItemReconciliation[];
  /** Total drift findings over all items. */
  driftCount: number;
  /** Set with repair: what the write-back did. */
  repair?: { items: string[]; flush: FlushResult };
}

export interface ReconcilerOptions {
  redis: RedisClient;
  holds: HoldEngine;
  catalog: SyncCatalog;
  history: SaleHistory;
  platforms: PlatformDirectory;
  writeBack: StockWriteBack;
  logger?: Logger;
}

const zero = (): ItemCounters => ({ allocated: 0, available: 0, held: 0, sold: 0 });

/** What each ledger entry type does to an item's counters (the Lua scripts' effects, replayed). */
function apply(counters: ItemCounters, type: string, quantity: number): void {
  switch (type) {
    case "allocate":
    case "adjust":
      counters.allocated += quantity;
      counters.available += quantity;
      break;
    case "reserve":
      counters.available -= quantity;
      counters.held += quantity;
      break;
    case "release":
    case "expire":
      counters.held -= quantity;
      counters.available += quantity;
      break;
    case "commit":
      counters.held -= quantity;
      counters.sold += quantity;
      break;
    case "take":
    case "restore_sold":
      counters.available -= quantity;
      counters.sold += quantity;
      break;
    case "restore":
      // Recovery rebuilt the item from SQL (core/recovery): what came before no longer counts.
      Object.assign(counters, { allocated: quantity, available: quantity, held: 0, sold: 0 });
      break;
  }
}

function same(a: ItemCounters, b: ItemCounters): boolean {
  return a.allocated === b.allocated && a.available === b.available && a.held === b.held && a.sold === b.sold;
}

function show(counters: ItemCounters): string {
  return `allocated ${counters.allocated}, available ${counters.available}, held ${counters.held}, sold ${counters.sold}`;
}

/**
 * Compares, per sale item, the four places its stock is told: Redis counters (HoldEngine
 * snapshot), the ledger (persisted in SQL, plus what the stream holds beyond), SQL orders and
 * the platform's stock. Redis is the reference: the others are reported where they differ.
 * With `repair`, platform drift is fixed through the write-back (the platform is set to
 * Holdfast's count); Redis is never "repaired" from the platform or SQL: a counter that
 * disagrees with the ledger is a finding for an engineer, not something to overwrite.
 */
export class Reconciler {
  private readonly logger: Logger;

  constructor(private readonly options: ReconcilerOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  async reconcile(saleId: string, options: { repair?: boolean } = {}): Promise<Reconciliation> {
    const { redis, holds, catalog, history } = this.options;
    const sale = await catalog.sale(saleId);

    // Counters and the ledger position they match: read until no change slipped in between.
    let settled = false;
    let ledgerId = "0-0";
    let snapshot = null;
    for (let attempt = 0; attempt < 5 && !settled; attempt += 1) {
      ledgerId = await lastLedgerId(redis, saleId);
      snapshot = await holds.snapshot(saleId);
      settled = (await lastLedgerId(redis, saleId)) === ledgerId;
    }
    if (!snapshot) throw new UnknownSaleStockError(saleId);

    const persisted = (await history.ledger(saleId)).filter((entry) => ledgerId !== "0-0" && compareStreamIds(entry.streamId, ledgerId) <= 0);
    const tail = await this.unpersisted(saleId, persisted, ledgerId);
    const ledger = new Map<string, ItemCounters>();
    for (const entry of [...persisted, ...tail]) {
      for (const line of entry.lines) apply(ledger.get(line.itemId) ?? ledger.set(line.itemId, zero()).get(line.itemId)!, entry.type, line.quantity);
    }
    // Every kind of order (headless, Shopify, WooCommerce) and ledger sales no order explains.
    const ordersSold = (await history.soldUnits(saleId)).sold;

    const refs = new Map((sale?.items ?? []).map((item) => [item.itemId, item.platformRef]));
    const { levels, skipped } = await this.readPlatform(sale?.storeId ?? null, [...refs.values()]);
    const written = await redis.hgetall(writeBackKeys(saleId).written);
    const refused = await redis.hgetall(writeBackKeys(saleId).refused);

    const itemIds = [...new Set([...Object.keys(snapshot.items), ...ledger.keys()])].sort();
    const items = itemIds.map((itemId): ItemReconciliation => {
      const counters = snapshot.items[itemId] ?? zero();
      const replayed = ledger.get(itemId) ?? zero();
      const sold = ordersSold.get(itemId) ?? 0;
      const ref = refs.get(itemId) ?? null;
      const onPlatform = ref !== null && levels ? (levels.get(ref) ?? null) : null;
      const pending = ref !== null && written[itemId] !== writtenValue(counters.available, ref);
      const drift: Drift[] = [];
      const { allocated, available, held } = counters;
      if (available + held + counters.sold !== allocated || available < 0 || held < 0 || counters.sold < 0) {
        drift.push({ kind: "invariant", message: `available + held + sold must equal allocated, each >= 0: ${show(counters)}` });
      }
      if (!same(counters, replayed)) drift.push({ kind: "ledger", message: `Redis has ${show(counters)}; the ledger adds up to ${show(replayed)}` });
      if (sold !== counters.sold) drift.push({ kind: "orders", message: `Redis has ${counters.sold} sold; SQL orders account for ${sold}` });
      if (ref !== null && levels && onPlatform === null) drift.push({ kind: "platform_missing", message: `the platform does not know ${ref}` });
      if (onPlatform !== null && onPlatform !== available && !pending) {
        drift.push({ kind: "platform", message: `the platform shows ${onPlatform} available; Holdfast has ${available}` });
      }
      if (refused[itemId] !== undefined) drift.push({ kind: "refused", message: `the platform refused writes: ${refused[itemId]}` });
      return { itemId, platformRef: ref, redis: counters, ledger: replayed, ordersSold: sold, platform: onPlatform, writeBackPending: pending, drift };
    });

    const report: Reconciliation = {
      saleId,
      storeId: sale?.storeId ?? null,
      checkedAt: new Date().toISOString(),
      ledgerId,
      settled,
      ledgerUnpersisted: tail.length,
      platformSkipped: skipped,
      items,
      driftCount: items.reduce((sum, item) => sum + item.drift.length, 0),
    };
    if (options.repair) report.repair = await this.repair(saleId, items);
    if (report.driftCount > 0) {
      this.logger.warn("reconciliation found drift", {
        saleId,
        drift: items.flatMap((item) => item.drift.map((drift) => `${item.itemId}: ${drift.kind}`)),
        repaired: report.repair?.items ?? [],
      });
    }
    return report;
  }

  /**
   * Platform drift (and refused items) go back through the write-back: the platform's count
   * is recorded as what it holds, and a forced flush writes Holdfast's count over it.
   * A pending write-back is flushed as well: that is its normal path, only sooner.
   */
  private async repair(saleId: string, items: ItemReconciliation[]): Promise<{ items: string[]; flush: FlushResult }> {
    const targets = items.filter(
      (item) => item.platformRef !== null && (item.writeBackPending || item.drift.some((drift) => drift.kind === "platform" || drift.kind === "refused")),
    );
    const keys = writeBackKeys(saleId);
    for (const item of targets) {
      if (item.platform !== null && item.platformRef !== null)
        await this.options.redis.hset(keys.written, item.itemId, writtenValue(item.platform, item.platformRef));
    }
    const ids = targets.map((item) => item.itemId);
    const flush = await this.options.writeBack.flushSale(saleId, { force: ids, lockWaitMs: 10_000 });
    return { items: ids, flush };
  }

  /**
   * Ledger events past what SQL holds, up to `upTo`, read from the stream (the persister trims
   * only what SQL has). A replacement entry (an entry whose events no longer name a
   * forgotten customer) may follow what SQL holds while its events, stored under the id of the entry
   * it replaced, are in SQL already: those are skipped. SQL stores an entry's events together.
   */
  private async unpersisted(saleId: string, persisted: PersistedLedgerEntry[], upTo: string): Promise<PersistedLedgerEntry[]> {
    if (upTo === "0-0") return [];
    const stored = new Set(persisted.map((entry) => entry.streamId));
    const last = maxStreamId([...stored]);
    const raw = await this.options.redis.xrange(saleInventoryKeys(saleId).ledger, last === null ? "-" : `(${last}`, upTo);
    return raw.flatMap(([id, fields]) => parseLedgerEntry(id, fields)).filter((event) => !stored.has(event.streamId));
  }

  private async readPlatform(storeId: string | null, refs: string[]): Promise<{ levels: Map<string, number> | null; skipped: string | null }> {
    if (storeId === null) return { levels: null, skipped: "the sale has no store" };
    if (refs.length === 0) return { levels: null, skipped: "no item has a platform reference" };
    try {
      const platform = await this.options.platforms.forStore(storeId);
      const levels = new Map<string, number>();
      const size = Math.max(1, platform.maxBatch);
      for (let start = 0; start < refs.length; start += size) {
        for (const level of await platform.readStock(refs.slice(start, start + size))) levels.set(level.ref, level.available);
      }
      return { levels, skipped: null };
    } catch (error) {
      if (error instanceof UnknownStoreError) return { levels: null, skipped: error.message };
      throw error;
    }
  }
}

export class UnknownSaleStockError extends Error {
  readonly code = "sale_not_found";
  constructor(readonly saleId: string) {
    super(`sale ${saleId} has no stock in Redis (never started, or not this Redis)`);
    this.name = "UnknownSaleStockError";
  }
}

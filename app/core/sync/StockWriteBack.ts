import { fileURLToPath } from "node:url";

import type { HoldEngine } from "../inventory/index.ts";
import { silentLogger, type Logger } from "../logger.ts";
import { defineLuaCommands, type LuaCommand } from "../luaScripts.ts";
import { PlatformError, UnknownStoreError, type Platform, type PlatformDirectory } from "../platform/index.ts";
import { randomId } from "../randomId.ts";
import type { RedisClient } from "../redis.ts";
import { outageAfter, type BreakerLookup } from "../queues/deferral.ts";
import { EchoGuard } from "./EchoGuard.ts";
import { writeBackKeys, type WriteBackKeys } from "../keys.ts";
import { parseWrittenValue, writtenValue } from "./writtenValue.ts";
import { lastLedgerId } from "./ledgerCursor.ts";
import type { SyncCatalog, SyncItem } from "./SyncCatalog.ts";
import type { WriteBackEntry, WriteBackJournal } from "./WriteBackJournal.ts";

const LUA_DIRECTORY = fileURLToPath(new URL("./lua/", import.meta.url));
const COMMANDS = { releaseFlushLock: { numberOfKeys: 1 }, extendFlushLock: { numberOfKeys: 1 } } as const;

export type FlushOutcome =
  /** Platform calls were made (and every due item was written or refused for good). */
  | "written"
  /** The platform already holds Holdfast's count for every item. */
  | "unchanged"
  /** The sale has no store or no platform references: nothing to write. */
  | "no_store"
  /** The sale has no stock in Redis (never defined): nothing to write yet. */
  | "no_stock"
  /** The store is gone (uninstalled): nothing written; a reinstall writes on the next change. */
  | "unknown_store";

export interface FlushResult {
  saleId: string;
  outcome: FlushOutcome;
  /** Platform calls made. */
  calls: number;
  /** Items whose count the platform confirmed. */
  written: number;
  /** Items the platform refused for good this time (kept aside until repaired). */
  refused: string[];
}

export interface FlushOptions {
  /** Write these items (true: all) even if the platform was last seen holding their count; also retries refused items. */
  force?: true | readonly string[];
  /** How long to wait for a flush of the same sale that is running (default: do not wait). */
  lockWaitMs?: number;
}

export interface StockWriteBackOptions {
  redis: RedisClient;
  holds: HoldEngine;
  catalog: SyncCatalog;
  platforms: PlatformDirectory;
  /** Whether a store's breaker is open after a failure (the store directory): then the flush is deferred, not failed. */
  breakers?: BreakerLookup;
  echo?: EchoGuard;
  /** The audit trail of platform calls (SQL WriteBackLog in the app); none by default. */
  journal?: WriteBackJournal;
  logger?: Logger;
  /**
   * Time to live of a flush's lock on its sale (ms), renewed every third of it while the flush
   * runs: how long the sale waits after a worker died mid-flush. Default 10 s.
   */
  lockTtlMs?: number;
}

/** Another flush of the sale is running; try again shortly. */
export class FlushBusyError extends PlatformError {
  constructor(saleId: string) {
    super("throttled", `a write-back flush of sale ${saleId} is already running`, { code: "flush_busy", retryAfterMs: 500 });
  }
}

interface Due extends SyncItem {
  available: number;
  /** What the platform was last seen holding (our confirmed write or its report), for compare-and-set. */
  previous: number | null;
}

interface FlushContext {
  saleId: string;
  storeId: string;
  keys: WriteBackKeys;
  platform: Platform;
  lockToken: string;
  result: FlushResult;
}

/**
 * The write-back: makes each platform hold Holdfast's `available` count for every sale item
 * that has a platform reference.
 *
 * A flush reads the sale's counters at that moment and writes the items whose count differs
 * from what the platform was last confirmed to hold (kept in Redis per sale): however many
 * changes happened since the last flush, each item is written once, with its current count
 * (latest value wins), in batches of at most `platform.maxBatch` items, one platform call
 * per batch, each under an idempotency key of its own ("hf-wb-<sale>-<flush>-<batch>").
 * Because the value is read at flush time, the last flush after the last change leaves the
 * platform equal to Holdfast exactly.
 *
 * Nothing is lost on a crash or an outage: "what the platform holds" is recorded only after
 * the platform confirmed the write, and the sale's ledger cursor (which tells the scheduler
 * a sale changed) only after a complete flush; a flush that fails or is cut short leaves the
 * sale due, and the next flush writes whatever the count is then.
 *
 * One flush per sale at a time (a lock in Redis with the sale's hash tag), so two flushes can
 * never interleave an older count after a newer one.
 */
export class StockWriteBack {
  private readonly redis: RedisClient;
  private readonly holds: HoldEngine;
  private readonly catalog: SyncCatalog;
  private readonly platforms: PlatformDirectory;
  private readonly breakers: BreakerLookup | undefined;
  private readonly echo: EchoGuard;
  private readonly journal: WriteBackJournal | undefined;
  private readonly logger: Logger;
  private readonly lockTtlMs: number;
  private readonly commands: Record<keyof typeof COMMANDS, LuaCommand>;

  constructor(options: StockWriteBackOptions) {
    this.redis = options.redis;
    this.holds = options.holds;
    this.catalog = options.catalog;
    this.platforms = options.platforms;
    this.breakers = options.breakers;
    this.echo = options.echo ?? new EchoGuard(options.redis);
    this.journal = options.journal;
    this.logger = options.logger ?? silentLogger;
    this.lockTtlMs = options.lockTtlMs ?? 10_000;
    this.commands = defineLuaCommands(options.redis, LUA_DIRECTORY, COMMANDS, "holdfastSync_");
  }

  /** True when the sale changed since its last complete flush (or was never flushed). */
  async isDue(saleId: string): Promise<boolean> {
    const keys = writeBackKeys(saleId);
    const [stored, current] = await Promise.all([this.redis.get(keys.cursor), lastLedgerId(this.redis, saleId)]);
    return stored !== current;
  }

  /** Makes the next flush look at every item again (after an external change or a repair). */
  async markDue(saleId: string): Promise<void> {
    await this.redis.del(writeBackKeys(saleId).cursor);
  }

  async flushSale(saleId: string, options: FlushOptions = {}): Promise<FlushResult> {
    const result: FlushResult = { saleId, outcome: "unchanged", calls: 0, written: 0, refused: [] };
    const keys = writeBackKeys(saleId);
    const sale = await this.catalog.sale(saleId);
    if (!sale || sale.items.length === 0) return { ...result, outcome: "no_store" };

    const lockToken = await this.lock(saleId, keys, options.lockWaitMs ?? 0);
    // A platform call may outlast the lock's TTL: keep renewing it while this flush runs.
    const heartbeat = setInterval(
      () => void this.commands.extendFlushLock([keys.lock], [lockToken, this.lockTtlMs]).catch(() => undefined),
      Math.max(50, this.lockTtlMs / 3),
    );
    heartbeat.unref();
    try {
      // The cursor is read before the counters: a change after this point leaves the sale due.
      const cursor = await lastLedgerId(this.redis, saleId);
      const snapshot = await this.holds.snapshot(saleId);
      if (!snapshot) return { ...result, outcome: "no_stock" };
      const [written, refused] = await Promise.all([this.redis.hgetall(keys.written), this.redis.hgetall(keys.refused)]);
      const forced = options.force === true ? null : new Set(options.force ?? []);
      const isForced = (itemId: string) => options.force === true || forced?.has(itemId) === true;

      const due: Due[] = [];
      const refs = new Set<string>();
      for (const item of sale.items) {
        const counters = snapshot.items[item.itemId];
        if (!counters || refs.has(item.platformRef)) continue;
        refs.add(item.platformRef);
        if (refused[item.itemId] !== undefined && !isForced(item.itemId)) continue;
        if (!isForced(item.itemId) && written[item.itemId] === writtenValue(counters.available, item.platformRef)) continue;
        const seen = parseWrittenValue(written[item.itemId]);
        due.push({ ...item, available: counters.available, previous: seen && seen.ref === item.platformRef ? seen.available : null });
      }

      if (due.length > 0) {
        let platform: Platform;
        try {
          platform = await this.platforms.forStore(sale.storeId);
        } catch (error) {
          if (!(error instanceof UnknownStoreError)) throw error;
          this.logger.warn("write-back skipped: the sale's store is not installed", { saleId, storeId: sale.storeId });
          await this.redis.set(keys.cursor, cursor);
          return { ...result, outcome: "unknown_store" };
        }
        const sequence = await this.redis.incr(keys.sequence);
        const context: FlushContext = { saleId, storeId: sale.storeId, keys, platform, lockToken, result };
        const size = Math.max(1, platform.maxBatch);
        for (let start = 0, part = 1; start < due.length; start += size, part += 1) {
          await this.writeBatch(context, due.slice(start, start + size), `hf-wb-${saleId}-${sequence}-${part}`);
        }
        result.outcome = "written";
      }
      await this.redis.set(keys.cursor, cursor);
      return result;
    } finally {
      clearInterval(heartbeat);
      await this.commands.releaseFlushLock([keys.lock], [lockToken]).catch(() => undefined);
    }
  }

  /** What the platform was last confirmed (or reported) to hold per item, for reconciliation. */
  async lastWritten(saleId: string): Promise<Map<string, { available: number; ref: string }>> {
    const raw = await this.redis.hgetall(writeBackKeys(saleId).written);
    const values = new Map<string, { available: number; ref: string }>();
    for (const [itemId, value] of Object.entries(raw)) {
      const parsed = parseWrittenValue(value);
      if (parsed) values.set(itemId, parsed);
    }
    return values;
  }

  /** Items the platform refused for good, with the reason. */
  async refusedItems(saleId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(writeBackKeys(saleId).refused);
  }

  private async writeBatch(context: FlushContext, batch: Due[], idempotencyKey: string): Promise<void> {
    const { keys, result } = context;
    const extended = await this.commands.extendFlushLock([keys.lock], [context.lockToken, this.lockTtlMs]);
    if (Number(extended) !== 1) throw new FlushBusyError(context.saleId);
    // Remembered before sending: the platform's webhook may arrive before its answer.
    await this.echo.remember(
      context.storeId,
      batch.map((item) => ({ ref: item.platformRef, available: item.available })),
    );
    const sentAt = Date.now();
    const record = (outcome: WriteBackEntry["outcome"], error: string | null) =>
      this.record({ saleId: context.saleId, storeId: context.storeId, idempotencyKey, items: batch.length, outcome, error, durationMs: Date.now() - sentAt });
    try {
      result.calls += 1;
      // Compare-and-set against what the platform last showed us: a change there we have not
      // seen yet (a POS sale whose webhook is on its way) makes the platform refuse the write
      // instead of our count overwriting it.
      await context.platform.writeStock(
        batch.map((item) => ({ ref: item.platformRef, available: item.available, previous: item.previous })),
        idempotencyKey,
      );
    } catch (error) {
      if (error instanceof PlatformError && error.kind === "conflict") await this.rereadAfterConflict(context, batch);
      const refusal = error instanceof PlatformError && (error.kind === "rejected" || error.kind === "not_found");
      await record(refusal ? "refused" : "failed", error instanceof Error ? error.message : String(error));
      if (!refusal) throw outageAfter(error, this.breakers, context.storeId, context.platform.kind) ?? error;
      if (batch.length > 1) {
        // One bad reference fails the whole call (Shopify applies all or nothing): find it, write the rest.
        for (const [index, item] of batch.entries()) await this.writeBatch(context, [item], `${idempotencyKey}-${index + 1}`);
        return;
      }
      const item = batch[0]!;
      await this.redis.hset(
        keys.refused,
        item.itemId,
        JSON.stringify({ kind: error.kind, code: error.details.code ?? null, message: error.message, at: Date.now() }),
      );
      result.refused.push(item.itemId);
      this.logger.warn("platform refused a stock write; item set aside until repaired", {
        saleId: context.saleId,
        storeId: context.storeId,
        itemId: item.itemId,
        ref: item.platformRef,
        error: error.message,
      });
      return;
    }
    await record("written", null);
    const confirmed: Record<string, string> = {};
    for (const item of batch) confirmed[item.itemId] = writtenValue(item.available, item.platformRef);
    await this.redis.hset(keys.written, confirmed);
    await this.holds.platformWritten(
      context.saleId,
      batch.map((item) => ({ itemId: item.itemId, available: item.available })),
    );
    await this.redis.hdel(keys.refused, ...batch.map((item) => item.itemId));
    result.written += batch.length;
  }

  /**
   * The platform's stock changed behind our back: read what it holds now and take it as a
   * report (what the webhook would have told us), so the next flush starts from it.
   */
  private async rereadAfterConflict(context: FlushContext, batch: Due[]): Promise<void> {
    try {
      const levels = await context.platform.readStock(batch.map((item) => item.platformRef));
      for (const level of levels) {
        const item = batch.find((candidate) => candidate.platformRef === level.ref);
        if (!item) continue;
        await this.redis.hset(context.keys.written, item.itemId, writtenValue(level.available, level.ref));
        const applied = await this.holds.platformReport(context.saleId, item.itemId, level.available);
        this.logger.info("platform stock changed since our last look: re-read before writing", {
          saleId: context.saleId,
          itemId: item.itemId,
          ref: level.ref,
          available: level.available,
          applied,
        });
      }
    } catch (error) {
      this.logger.warn("cannot re-read platform stock after a compare-and-set conflict", {
        saleId: context.saleId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async record(entry: WriteBackEntry): Promise<void> {
    if (!this.journal) return;
    try {
      await this.journal.record(entry);
    } catch (error) {
      this.logger.warn("cannot record a write-back call", { saleId: entry.saleId, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async lock(saleId: string, keys: WriteBackKeys, waitMs: number): Promise<string> {
    const token = randomId();
    const deadline = Date.now() + waitMs;
    while ((await this.redis.set(keys.lock, token, "PX", this.lockTtlMs, "NX")) === null) {
      if (Date.now() >= deadline) throw new FlushBusyError(saleId);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return token;
  }
}

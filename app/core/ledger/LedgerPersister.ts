import { saleInventoryKeys } from "../keys.ts";
import { silentLogger, type Logger } from "../logger.ts";
import type { RedisClient } from "../redis.ts";
import { parseLedgerEntry } from "./ledgerEntries.ts";
import type { LedgerSaleSource, LedgerStore } from "./LedgerStore.ts";
import { nextStreamId } from "./streamIds.ts";

export interface LedgerPersisterOptions {
  /** Stream entries per read and per SQL write (a batched entry is several events); default 500. */
  batchSize?: number;
  /** Pause between passes over all sales; default 1 s. */
  intervalMs?: number;
  logger?: Logger;
}

export interface SalePersistResult {
  /** Events newly stored. */
  persisted: number;
  /** The last stream id now in SQL (null when the sale has no ledger in SQL yet). */
  lastStreamId: string | null;
}

/**
 * Copies every sale's ledger stream from Redis into SQL, then trims what SQL has, so Redis
 * memory stays bounded while no entry is dropped before it is durable.
 *
 * Resume point: the greatest stream id already in SQL for the sale, read on the first pass
 * after a start (later passes continue from where the previous one ended, which SQL also
 * holds). Nothing is kept in Redis, so a restart resumes exactly; an entry written to SQL but
 * not yet trimmed (a crash in between) is read past with an exclusive range, and the store
 * ignores repeats anyway.
 *
 * Several workers may run it at once: each write is idempotent by (saleId, streamId, part),
 * and each trims only what SQL already holds. An entry that replaced another (a forgotten
 * customer's name taken out of its events, see parseLedgerEntry) stores its events under the replaced
 * entry's id, so SQL's greatest id may lag the stream: a restart then reads a few entries
 * again, which the store ignores.
 */
export class LedgerPersister {
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly logger: Logger;
  /** Where each sale's last pass ended; SQL is the source after a restart (see the class note). */
  private readonly cursors = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly redis: RedisClient,
    private readonly store: LedgerStore,
    private readonly sales: LedgerSaleSource,
    options: LedgerPersisterOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.intervalMs = options.intervalMs ?? 1_000;
    this.logger = options.logger ?? silentLogger;
  }

  /** Persists everything the sale's stream holds now, batch by batch, trimming as it goes. */
  async persistSale(saleId: string): Promise<SalePersistResult> {
    const key = saleInventoryKeys(saleId).ledger;
    const cursor = this.cursors.get(saleId);
    let last = cursor ?? (await this.store.lastStreamId(saleId));
    let persisted = 0;
    // SQL may be ahead of the trim (a crash between the write and the trim): trim first.
    if (last !== null && cursor === undefined) {
      await this.redis.xtrim(key, "MINID", nextStreamId(last));
      this.cursors.set(saleId, last);
    }
    for (;;) {
      const raw = await this.redis.xrange(key, last === null ? "-" : `(${last}`, "+", "COUNT", this.batchSize);
      if (raw.length === 0) break;
      persisted += await this.store.append(
        saleId,
        raw.flatMap(([id, fields]) => parseLedgerEntry(id, fields)),
      );
      last = raw[raw.length - 1]?.[0] ?? last;
      if (last !== null) {
        this.cursors.set(saleId, last);
        await this.redis.xtrim(key, "MINID", nextStreamId(last));
      }
      if (raw.length < this.batchSize) break;
    }
    return { persisted, lastStreamId: last };
  }

  /** One pass over all sales; a failing sale is logged and does not stop the others. Returns the events stored. */
  async runOnce(): Promise<number> {
    let persisted = 0;
    for (const saleId of await this.sales.salesWithLedger()) {
      try {
        persisted += (await this.persistSale(saleId)).persisted;
      } catch (error) {
        this.logger.error("cannot persist a sale's ledger", { saleId, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return persisted;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = () => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.error("ledger persister pass failed", { error: error instanceof Error ? error.message : String(error) }))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    tick();
  }

  /** Stops the loop after the pass in progress, if any, has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

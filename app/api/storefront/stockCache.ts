import type { Clock } from "../../core/clock.ts";
import type { HoldEngine } from "../../core/inventory/index.ts";

export interface StockBody {
  items: { itemId: string; available: number; held: number; sold: number; allocated: number }[];
  soldOut: boolean;
}

interface Entry {
  body: StockBody | null;
  at: number;
  /** The one snapshot in flight for this sale; dropped when it settles, whichever way. */
  pending: Promise<StockBody> | null;
}

export interface StockCacheOptions {
  freshMs?: number;
  /** Bound on cached sales (only known sales reach the cache; this is a backstop). */
  maxEntries?: number;
}

/**
 * The stock counters the widget shows, read from Redis at most once per second per sale and
 * process, for every route that shows them (/v1 and the app proxy share one cache). A read
 * that fails is not remembered: the next request tries Redis again.
 */
export class StockCache {
  private readonly entries = new Map<string, Entry>();
  private readonly freshMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly holds: Pick<HoldEngine, "snapshot">,
    private readonly clock: Clock,
    options: StockCacheOptions = {},
  ) {
    this.freshMs = options.freshMs ?? 1_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  read(saleId: string): Promise<StockBody> {
    let entry = this.entries.get(saleId);
    if (entry?.body && this.clock.now() - entry.at < this.freshMs) return Promise.resolve(entry.body);
    if (entry?.pending) return entry.pending;
    if (!entry) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
      entry = { body: null, at: 0, pending: null };
      this.entries.set(saleId, entry);
    }
    const settling = entry;
    settling.pending = this.holds.snapshot(saleId).then(
      (snapshot) => {
        const items = Object.entries(snapshot?.items ?? {}).map(([itemId, c]) => ({ itemId, ...c }));
        settling.body = { items, soldOut: items.length > 0 && items.every((item) => item.available === 0) };
        settling.at = this.clock.now();
        settling.pending = null;
        return settling.body;
      },
      (error: unknown) => {
        settling.pending = null;
        throw error;
      },
    );
    return settling.pending;
  }
}

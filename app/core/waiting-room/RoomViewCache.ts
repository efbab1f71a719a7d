import { systemClock, type Clock } from "../clock.ts";
import type { RoomView } from "./types.ts";

interface Entry {
  view: RoomView | null;
  fetchedAt: number;
  refreshing: Promise<RoomView | null> | null;
}

export interface RoomViewCacheOptions {
  clock?: Clock;
  /** A view younger than this is answered as is. */
  freshMs?: number;
  /** A view younger than this is answered at once while a refresh runs in the background. */
  staleMs?: number;
  /** Bound on cached sales, so requests for random sale ids cannot grow memory. */
  maxEntries?: number;
}

/**
 * The reason status polling needs no Redis round trip: each process keeps every room's view
 * for a fraction of a second, refreshed by at most one request at a time per room.
 */
export class RoomViewCache {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly freshMs: number;
  private readonly staleMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly load: (saleId: string) => Promise<RoomView | null>,
    options: RoomViewCacheOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.freshMs = options.freshMs ?? 200;
    // Bounds how old an answer can be: at most a second behind Redis, even for a quiet room.
    this.staleMs = options.staleMs ?? 1_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /**
   * The view when this process has one young enough to answer with (starting a background
   * refresh when it is stale), or undefined when the caller must wait for get(). Lets the
   * status path answer without a promise in the common case.
   */
  peek(saleId: string): RoomView | null | undefined {
    const entry = this.entries.get(saleId);
    if (entry === undefined) return undefined;
    const age = this.clock.now() - entry.fetchedAt;
    if (age < this.freshMs) return entry.view;
    if (age < this.staleMs) {
      if (entry.refreshing === null) void this.refresh(saleId, entry).catch(() => undefined);
      return entry.view;
    }
    return undefined;
  }

  async get(saleId: string): Promise<RoomView | null> {
    const entry = this.entries.get(saleId);
    const age = entry ? this.clock.now() - entry.fetchedAt : Infinity;
    if (entry && age < this.freshMs) return entry.view;
    if (entry && age < this.staleMs) {
      void this.refresh(saleId, entry).catch(() => undefined);
      return entry.view;
    }
    return this.refresh(saleId, entry);
  }

  /** Drops a room's view, e.g. after an admin changed its state in this process. */
  invalidate(saleId: string): void {
    this.entries.delete(saleId);
  }

  private refresh(saleId: string, existing: Entry | undefined): Promise<RoomView | null> {
    if (existing?.refreshing) return existing.refreshing;
    const entry: Entry = existing ?? { view: null, fetchedAt: -Infinity, refreshing: null };
    if (!existing) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(saleId, entry);
    }
    entry.refreshing = this.load(saleId).then(
      (view) => {
        entry.view = view;
        entry.fetchedAt = this.clock.now();
        entry.refreshing = null;
        return view;
      },
      (error: unknown) => {
        entry.refreshing = null;
        if (entry.fetchedAt === -Infinity) this.entries.delete(saleId);
        throw error;
      },
    );
    return entry.refreshing;
  }
}

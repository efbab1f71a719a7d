import type { ItemCounters, Line } from "../../../app/core/inventory/index.ts";

interface ModelHold {
  customer: string;
  expiresAt: number;
  lines: Line[];
}

/**
 * A plain in-memory statement of what the inventory scripts promise, written without
 * looking for speed, so the model-based test can compare the two after every step.
 */
export class InventoryModel {
  readonly items = new Map<string, ItemCounters>();
  readonly holds = new Map<string, ModelHold>();
  private readonly customers = new Map<string, number>();
  private readonly requests = new Map<string, string>();
  private readonly orders = new Map<string, string>();
  /** The platform book per item (see lua/includes/platformBook.lua). */
  private readonly book = new Map<string, { base: number; seen: number | undefined; orders: number; ext: number }>();
  readonly oversold = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly reclaimBatch: number,
    allocations: Record<string, number>,
  ) {
    for (const [itemId, allocated] of Object.entries(allocations)) {
      this.items.set(itemId, { allocated, available: allocated, held: 0, sold: 0 });
    }
  }

  reserve(holdId: string, customer: string, requestId: string, now: number, ttl: number, lines: Line[]) {
    this.reclaim(now, this.reclaimBatch);
    const requestKey = `${customer}\u0000${requestId}`;
    const previousId = this.requests.get(requestKey);
    if (previousId !== undefined) {
      const previous = this.holds.get(previousId);
      if (!previous) return { outcome: "duplicate", holdId: previousId };
      if (previous.expiresAt <= now) {
        this.end(previousId);
        return { outcome: "duplicate", holdId: previousId };
      }
      return { outcome: "reserved", holdId: previousId, expiresAt: previous.expiresAt, replayed: true };
    }
    const failure = this.checkAvailable(lines);
    if (failure) return failure;
    const units = unitsOf(lines);
    const counted = this.customers.get(customer) ?? 0;
    if (this.limit > 0 && counted + units > this.limit) {
      return { outcome: "limit_exceeded", limit: this.limit, alreadyCounted: counted };
    }
    for (const { itemId, quantity } of lines) {
      const c = this.counters(itemId);
      c.available -= quantity;
      c.held += quantity;
    }
    this.holds.set(holdId, { customer, expiresAt: now + ttl, lines });
    this.customers.set(customer, counted + units);
    this.requests.set(requestKey, holdId);
    return { outcome: "reserved", holdId, expiresAt: now + ttl, replayed: false };
  }

  release(holdId: string) {
    if (!this.holds.has(holdId)) return { outcome: "not_found" };
    this.end(holdId);
    return { outcome: "released" };
  }

  commit(holdId: string, orderRef: string) {
    const recorded = this.orders.get(orderRef);
    if (recorded !== undefined) return { outcome: "duplicate", holdId: recorded === "take" ? null : recorded };
    const hold = this.holds.get(holdId);
    if (!hold) return { outcome: "not_found" };
    for (const { itemId, quantity } of hold.lines) {
      const c = this.counters(itemId);
      c.held -= quantity;
      c.sold += quantity;
    }
    this.holds.delete(holdId);
    this.orders.set(orderRef, holdId);
    return { outcome: "committed", customerId: hold.customer, lines: hold.lines };
  }

  take(orderRef: string, customer: string | undefined, now: number, lines: Line[]) {
    const recorded = this.orders.get(orderRef);
    if (recorded !== undefined) return { outcome: "duplicate", holdId: recorded === "take" ? null : recorded };
    this.reclaim(now, this.reclaimBatch);
    const failure = this.checkAvailable(lines);
    if (failure) return failure;
    for (const { itemId, quantity } of lines) {
      const c = this.counters(itemId);
      c.available -= quantity;
      c.sold += quantity;
    }
    let customerUnits = 0;
    if (customer !== undefined) {
      customerUnits = (this.customers.get(customer) ?? 0) + unitsOf(lines);
      this.customers.set(customer, customerUnits);
    }
    this.orders.set(orderRef, "take");
    return { outcome: "taken", customerUnits };
  }

  settleOrder(orderRef: string, customer: string | undefined, now: number, holdIds: string[], lines: Line[]) {
    const recorded = this.orders.get(orderRef);
    if (recorded !== undefined) return { outcome: "duplicate", holdId: recorded === "take" ? null : recorded };
    for (const { itemId } of lines) if (!this.items.has(itemId)) return { outcome: "not_found", itemId };
    const need = new Map(lines.map((line) => [line.itemId, line.quantity]));
    const committed = new Map<string, number>();
    const released = new Map<string, number>();
    const taken = new Map<string, number>();
    const oversold = new Map<string, number>();
    const add = (map: Map<string, number>, itemId: string, units: number) => units > 0 && map.set(itemId, (map.get(itemId) ?? 0) + units);
    const settledHolds: string[] = [];
    let holdId: string | null = null;
    for (const id of new Set(holdIds)) {
      const hold = this.holds.get(id);
      if (!hold) continue;
      let releasedUnits = 0;
      let committedAny = false;
      for (const { itemId, quantity } of hold.lines) {
        const use = Math.min(quantity, need.get(itemId) ?? 0);
        if (use > 0) need.set(itemId, (need.get(itemId) ?? 0) - use);
        const c = this.counters(itemId);
        c.held -= quantity;
        c.sold += use;
        c.available += quantity - use;
        add(committed, itemId, use);
        add(released, itemId, quantity - use);
        releasedUnits += quantity - use;
        committedAny ||= use > 0;
      }
      if (releasedUnits > 0) {
        const left = (this.customers.get(hold.customer) ?? 0) - releasedUnits;
        if (left <= 0) this.customers.delete(hold.customer);
        else this.customers.set(hold.customer, left);
      }
      this.holds.delete(id);
      if (committedAny && holdId === null) holdId = id;
      settledHolds.push(id);
    }
    this.reclaim(now, this.reclaimBatch);
    let takenUnits = 0;
    for (const { itemId } of lines) {
      const left = need.get(itemId) ?? 0;
      const c = this.counters(itemId);
      const take = Math.min(left, c.available);
      c.available -= take;
      c.sold += take;
      takenUnits += take;
      add(taken, itemId, take);
      add(oversold, itemId, left - take);
      if (left > take) this.oversold.set(itemId, (this.oversold.get(itemId) ?? 0) + left - take);
    }
    if (takenUnits > 0 && customer !== undefined) this.customers.set(customer, (this.customers.get(customer) ?? 0) + takenUnits);
    for (const { itemId, quantity } of lines) {
      const book = this.book.get(itemId);
      if (!book) continue;
      book.orders += quantity;
      this.rebalance(itemId);
    }
    this.orders.set(orderRef, holdId ?? "take");
    const list = (map: Map<string, number>) => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([itemId, quantity]) => ({ itemId, quantity }));
    return { outcome: "settled", holdId, committed: list(committed), released: list(released), taken: list(taken), oversold: list(oversold), settledHolds };
  }

  platformReport(itemId: string, reported: number) {
    const c = this.items.get(itemId);
    if (!c) return { outcome: "not_found" };
    const book = this.book.get(itemId);
    if (!book) {
      this.book.set(itemId, { base: reported, seen: undefined, orders: 0, ext: 0 });
      return { outcome: "baseline", available: c.available };
    }
    const previous = book.seen ?? book.base;
    let restocked = 0;
    const beyond = reported + book.orders - book.base;
    if (reported > previous && beyond > 0) {
      restocked = Math.min(reported - previous, beyond);
      book.base += restocked;
      c.allocated += restocked;
      c.available += restocked;
    }
    book.seen = reported;
    const availableChange = this.rebalance(itemId);
    return { outcome: "applied", availableChange, restocked, available: c.available };
  }

  platformWritten(counts: { itemId: string; available: number }[]) {
    for (const { itemId, available } of counts) this.book.set(itemId, { base: available, seen: undefined, orders: 0, ext: 0 });
  }

  private rebalance(itemId: string): number {
    const book = this.book.get(itemId);
    if (!book) return 0;
    const target = book.seen === undefined ? 0 : Math.max(0, book.base - book.seen - book.orders);
    const c = this.counters(itemId);
    const change = Math.min(target - book.ext, c.available);
    if (change === 0) return 0;
    c.allocated -= change;
    c.available -= change;
    book.ext += change;
    return -change;
  }

  adjust(itemId: string, delta: number) {
    const c = this.items.get(itemId);
    if (!c) return { outcome: "not_found" };
    if (c.available + delta < 0) return { outcome: "insufficient", available: c.available };
    c.allocated += delta;
    c.available += delta;
    return { outcome: "adjusted", ...c };
  }

  expire(now: number, max: number) {
    const ended = this.reclaim(now, max);
    return { ended, more: this.expiredIds(now).length > 0 };
  }

  /** Oldest expiry first, ties by id in byte order: the order of a sorted set. */
  private expiredIds(now: number): string[] {
    return [...this.holds]
      .filter(([, hold]) => hold.expiresAt <= now)
      .sort(([a, x], [b, y]) => x.expiresAt - y.expiresAt || (a < b ? -1 : a > b ? 1 : 0))
      .map(([id]) => id);
  }

  private reclaim(now: number, max: number): number {
    const ids = this.expiredIds(now).slice(0, max);
    for (const id of ids) this.end(id);
    return ids.length;
  }

  private end(holdId: string): void {
    const hold = this.holds.get(holdId);
    if (!hold) return;
    for (const { itemId, quantity } of hold.lines) {
      const c = this.counters(itemId);
      c.available += quantity;
      c.held -= quantity;
    }
    const left = (this.customers.get(hold.customer) ?? 0) - unitsOf(hold.lines);
    if (left <= 0) this.customers.delete(hold.customer);
    else this.customers.set(hold.customer, left);
    this.holds.delete(holdId);
  }

  private checkAvailable(lines: Line[]) {
    for (const { itemId, quantity } of lines) {
      const c = this.items.get(itemId);
      if (!c) return { outcome: "not_found", itemId };
      if (c.available < quantity) return { outcome: "sold_out", itemId, available: c.available };
    }
    return null;
  }

  private counters(itemId: string): ItemCounters {
    const c = this.items.get(itemId);
    if (!c) throw new Error(`model has no item ${itemId}`);
    return c;
  }
}

function unitsOf(lines: Line[]): number {
  return lines.reduce((sum, line) => sum + line.quantity, 0);
}

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

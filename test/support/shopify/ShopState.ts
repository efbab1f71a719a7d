import { randomBytes } from "node:crypto";
import { ShopTokens, type ExpiringTokenConfig } from "./tokens.ts";

/**
 * One shop's data inside the stand-in: inventory items at locations, variants, draft orders,
 * orders, idempotency keys, the cost bucket and counters for tests. Plain numbers are used
 * for ids; the GraphQL layer turns them into gids.
 */

export interface BucketConfig {
  /** Points the bucket holds (Shopify: 1000 standard, 2000 Plus, ...). */
  maximumAvailable: number;
  /** Points restored per second (50 / 100 / ...). */
  restoreRate: number;
}

export interface Level {
  available: number;
  onHand: number;
  reserved: number;
}

export interface Item {
  id: number;
  variantId: number;
  levels: Map<number, Level>;
}

export interface DraftLine {
  variantId: number;
  quantity: number;
}

export interface DraftOrder {
  id: number;
  status: "OPEN" | "INVOICE_SENT" | "COMPLETED";
  lines: DraftLine[];
  tags: string[];
  email: string | null;
  note: string | null;
  customAttributes: { key: string; value: string }[];
  reserveInventoryUntil: string | null;
  /** Units taken from `available` into `reserved` for this draft: item, location, quantity. */
  reservations: { itemId: number; locationId: number; quantity: number }[];
  invoiceToken: string;
  orderId: number | null;
  createdAt: string;
}

export interface Order {
  id: number;
  lines: { itemId: number; locationId: number; quantity: number }[];
  cancelledAt: string | null;
  cancelReason: string | null;
  staffNote: string | null;
  restocked: boolean;
  refunded: boolean;
  notified: boolean;
}

export interface IdempotencyRecord {
  fingerprint: string;
  state: "running" | "done";
  failed: boolean;
  payload: unknown;
}

export interface ShopStats {
  /** GraphQL requests received (authenticated or not). */
  requests: number;
  /** Answers that were "Throttled". */
  throttled: number;
  /** Requests answered with an injected failure. */
  failed: number;
  /** Mutations answered from an idempotency record without being applied again. */
  replays: number;
  /** Per operation name, requests that reached execution. */
  operations: Record<string, number>;
  /** Highest requestedQueryCost seen. */
  maxRequestedCost: number;
}

/**
 * http500 / http503: answered with that status, not executed. timeout: never answered.
 * reset: connection dropped before executing. lost: executed, then the connection dropped
 * before the answer (the case idempotency keys exist for).
 */
export type FailureMode = "http500" | "http503" | "timeout" | "reset" | "lost";

export class ShopState {
  readonly items = new Map<number, Item>();
  readonly locations = new Set<number>();
  readonly draftOrders = new Map<number, DraftOrder>();
  readonly orders = new Map<number, Order>();
  readonly idempotency = new Map<string, IdempotencyRecord>();
  readonly stats: ShopStats = { requests: 0, throttled: 0, failed: 0, replays: 0, operations: {}, maxRequestedCost: 0 };
  /** Milliseconds a mutation holds its idempotency key before applying (to provoke concurrency). */
  mutationDelayMs = 0;
  private nextId = 1000;
  private bucketLevel: number;
  private bucketAt = Date.now();
  private failures: { mode: FailureMode; remaining: number; until: number; operation: string | undefined }[] = [];

  /** The shop's offline token: fixed, or expiring with refreshes (tokens.ts). */
  readonly tokens: ShopTokens;

  constructor(
    readonly domain: string,
    accessToken: string,
    readonly bucket: BucketConfig,
    expiring: ExpiringTokenConfig | null = null,
  ) {
    this.bucketLevel = bucket.maximumAvailable;
    this.tokens = new ShopTokens(accessToken, expiring);
  }

  /** The access token the Admin API takes now. */
  get accessToken(): string {
    return this.tokens.accessToken;
  }

  id(): number {
    return this.nextId++;
  }

  // -------------------------------------------------------------------- seeding, for tests

  /** Stocks an item at a location (creating both, and the item's variant, as needed). */
  stock(options: { item?: number; location?: number; variant?: number; available: number; onHand?: number }): {
    itemId: number;
    locationId: number;
    variantId: number;
  } {
    const itemId = options.item ?? this.id();
    const locationId = options.location ?? 1;
    this.locations.add(locationId);
    let item = this.items.get(itemId);
    if (!item) {
      item = { id: itemId, variantId: options.variant ?? this.id(), levels: new Map() };
      this.items.set(itemId, item);
    }
    item.levels.set(locationId, { available: options.available, onHand: options.onHand ?? options.available, reserved: 0 });
    return { itemId, locationId, variantId: item.variantId };
  }

  level(itemId: number, locationId: number): Level | undefined {
    return this.items.get(itemId)?.levels.get(locationId);
  }

  itemOfVariant(variantId: number): Item | undefined {
    for (const item of this.items.values()) if (item.variantId === variantId) return item;
    return undefined;
  }

  /** The shopper paid the draft's invoice: the draft becomes an order, its reservation is committed. */
  completeDraftOrder(draftId: number): Order {
    const draft = this.draftOrders.get(draftId);
    if (!draft || draft.status === "COMPLETED") throw new Error(`draft ${draftId} cannot be completed`);
    const order = this.placeOrder(
      draft.reservations.map((r) => ({ itemId: r.itemId, locationId: r.locationId, quantity: r.quantity })),
      { fromReservation: true },
    );
    for (const r of draft.reservations) {
      const level = this.level(r.itemId, r.locationId);
      if (level) level.reserved -= r.quantity;
    }
    draft.status = "COMPLETED";
    draft.orderId = order.id;
    return order;
  }

  /** An order placed through Shopify's own checkout: takes the units from available. */
  placeOrder(lines: { itemId: number; locationId: number; quantity: number }[], options: { fromReservation?: boolean } = {}): Order {
    if (!options.fromReservation) {
      for (const line of lines) {
        const level = this.level(line.itemId, line.locationId);
        if (level) level.available -= line.quantity;
      }
    }
    const order: Order = { id: this.id(), lines, cancelledAt: null, cancelReason: null, staffNote: null, restocked: false, refunded: false, notified: false };
    this.orders.set(order.id, order);
    return order;
  }

  // -------------------------------------------------------------------- failures

  /** The next `count` requests (of the named operation, if given) fail with `mode`. */
  failNext(count: number, mode: FailureMode = "http500", operation?: string): void {
    this.failures.push({ mode, remaining: count, until: Infinity, operation });
  }

  /** Every request for `ms` fails with `mode`. */
  failFor(ms: number, mode: FailureMode = "http500"): void {
    this.failures.push({ mode, remaining: Infinity, until: Date.now() + ms, operation: undefined });
  }

  takeFailure(operation: string | undefined): FailureMode | null {
    const now = Date.now();
    this.failures = this.failures.filter((failure) => failure.remaining > 0 && failure.until > now);
    const failure = this.failures.find((candidate) => candidate.operation === undefined || candidate.operation === operation);
    if (!failure) return null;
    failure.remaining--;
    return failure.mode;
  }

  // -------------------------------------------------------------------- the cost bucket

  /** Current points, leaked back at restoreRate since the last look. */
  available(): number {
    const now = Date.now();
    this.bucketLevel = Math.min(this.bucket.maximumAvailable, this.bucketLevel + ((now - this.bucketAt) / 1000) * this.bucket.restoreRate);
    this.bucketAt = now;
    return this.bucketLevel;
  }

  /** Takes `cost` points if the bucket holds them. */
  charge(cost: number): boolean {
    if (cost > this.available()) return false;
    this.bucketLevel -= cost;
    return true;
  }

  refund(points: number): void {
    this.bucketLevel = Math.min(this.bucket.maximumAvailable, this.available() + points);
  }

  /** Empties (or sets) the bucket, as another client of this app and shop spending it would. */
  drain(to = 0): void {
    this.available();
    this.bucketLevel = to;
  }

  throttleStatus(): { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } {
    return { maximumAvailable: this.bucket.maximumAvailable, currentlyAvailable: Math.floor(this.available()), restoreRate: this.bucket.restoreRate };
  }

  invoiceToken(): string {
    return randomBytes(12).toString("hex");
  }
}

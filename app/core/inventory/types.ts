export interface Line {
  itemId: string;
  quantity: number;
}

export interface SaleStockDefinition {
  /** Units one customer may hold and buy in this sale, across items; 0 means no limit. */
  perCustomerLimit: number;
  items: { itemId: string; allocation: number }[];
}

export interface ReserveRequest {
  lines: Line[];
  customerId: string;
  ttlMs: number;
  /** Chosen by the client; a retry with the same id returns the same hold. */
  requestId: string;
  /**
   * Counts this request against the requester's limit in the same call (the storefront's
   * per-session hold limit): `requester` names the counter within the sale.
   */
  rateLimit?: { requester: string; limit: number; windowMs: number };
  /**
   * The requester's client address (an IPv4 address or IPv6 /64) and how many units one
   * address may hold or have bought in the sale: many sessions from one address share it.
   */
  address?: { bucket: string; limit: number };
}

export type ReserveResult =
  | { outcome: "reserved"; holdId: string; expiresAt: number; replayed: boolean }
  | { outcome: "rate_limited"; retryAfterMs: number }
  | { outcome: "sold_out"; itemId: string; available: number }
  | { outcome: "limit_exceeded"; limit: number; alreadyCounted: number }
  | { outcome: "address_limit_exceeded"; limit: number; alreadyCounted: number }
  | { outcome: "not_found"; itemId: string | null }
  | { outcome: "duplicate"; holdId: string };

export type ReleaseResult = { outcome: "released" } | { outcome: "not_found" };

export type CommitResult =
  { outcome: "committed"; customerId: string; lines: Line[] } | { outcome: "duplicate"; holdId: string | null } | { outcome: "not_found" };

export interface TakeRequest {
  lines: Line[];
  orderRef: string;
  customerId?: string;
}

export type TakeResult =
  | { outcome: "taken"; customerUnits: number }
  | { outcome: "duplicate"; holdId: string | null }
  | { outcome: "sold_out"; itemId: string; available: number }
  | { outcome: "not_found"; itemId: string | null };

export interface SettleRequest {
  orderRef: string;
  /** Counted for the bypass units (per-customer limit); units committed from holds were counted when held. */
  customerId?: string;
  /** Holds whose tokens the caller verified for this sale; each is used once, in this order. */
  holdIds: string[];
  /** What the order bought of this sale's items. */
  lines: Line[];
}

export type SettleResult =
  | {
      outcome: "settled";
      /** The first hold the order committed, or null when every unit was a bypass. */
      holdId: string | null;
      /** Held units the order bought. */
      committed: Line[];
      /** Held units the order did not buy, back in available. */
      released: Line[];
      /** Bypass units sold from available. */
      taken: Line[];
      /** Bypass units the sale did not have: the platform sold them anyway. */
      oversold: Line[];
      /** The holds that were still there and are now settled. */
      settledHolds: string[];
    }
  | { outcome: "duplicate"; holdId: string | null }
  | { outcome: "not_found"; itemId: string | null };

export type PlatformReportResult =
  /** `availableChange`: units taken out (negative) or given back for decreases no order explains. */
  { outcome: "applied"; availableChange: number; restocked: number; available: number } | { outcome: "baseline"; available: number } | { outcome: "not_found" };

export interface ItemCounters {
  allocated: number;
  available: number;
  held: number;
  sold: number;
}

export type AdjustResult = ({ outcome: "adjusted" } & ItemCounters) | { outcome: "insufficient"; available: number } | { outcome: "not_found" };

export interface ExpireResult {
  ended: number;
  more: boolean;
}

export interface SaleSnapshot {
  perCustomerLimit: number;
  activeHolds: number;
  items: Record<string, ItemCounters>;
  /** Units per item that platforms sold beyond the sale's stock (never hidden, never undone). */
  oversold: Record<string, number>;
}

/** What recovery (core/recovery) rebuilds a lost sale's stock from: SQL's counts. */
export interface RestorePlan {
  perCustomerLimit: number;
  items: { itemId: string; allocation: number; sold: number; oversold: number }[];
  /** Customer -> units bought (the per-customer limit's count). */
  customers: [string, number][];
  /** Order reference -> the hold it committed, or "take". */
  orders: [string, string][];
}

export type RestoreResult = { outcome: "restored"; items: number; beyondAllocation: number } | { outcome: "exists" };

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
  | { outcome: "committed"; customerId: string; lines: Line[] }
  | { outcome: "duplicate"; holdId: string | null }
  | { outcome: "not_found" };

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

export interface ItemCounters {
  allocated: number;
  available: number;
  held: number;
  sold: number;
}

export type AdjustResult =
  | ({ outcome: "adjusted" } & ItemCounters)
  | { outcome: "insufficient"; available: number }
  | { outcome: "not_found" };

export interface ExpireResult {
  ended: number;
  more: boolean;
}

export interface SaleSnapshot {
  perCustomerLimit: number;
  activeHolds: number;
  items: Record<string, ItemCounters>;
}

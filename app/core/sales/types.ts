import type { Money, PriceInput } from "../money.ts";
import type { BypassPolicy } from "../orders/OrderRepository.ts";
import type { AdmissionMode, RoomState } from "../waiting-room/types.ts";

export type { AdmissionMode, BypassPolicy };

/**
 * `draft`: nothing in Redis yet, starts when told to. Every other state means the sale's
 * stock and room exist in Redis, and the state is the room's (Redis is authoritative).
 */
export type SaleState = "draft" | RoomState;

/** Times are milliseconds since the epoch, as the engine's Clock counts them. */
export interface SaleSchedule {
  prequeueAt: number | null;
  startsAt: number | null;
  endsAt: number | null;
}

export interface AdmissionSettings {
  mode: AdmissionMode;
  /** Required by the rate modes. */
  perMinute: number | null;
  /** Required by the capacity modes. */
  maxActive: number | null;
  passMinutes: number;
}

/**
 * What the storefront widget and the checkout gate do when Holdfast cannot be reached or
 * checked: "open" lets shoppers buy without the room, "closed" makes them wait; "auto" is
 * closed while the sale runs and open before.
 */
export type FailPolicySetting = "auto" | "open" | "closed";

export interface SaleItem {
  /** Also the item's name in Redis: unique across sales. */
  id: string;
  title: string;
  /** Units allocated to the sale, as last set by the merchant. */
  allocation: number;
  /** The platform's variant or product reference; null for the standalone demo. */
  platformRef: string | null;
  /**
   * What the headless checkout charges per unit; null: the operator's fallback
   * (HOLDFAST_CHECKOUT_UNIT_PRICE), or the platform collects payment itself. A sale's items
   * are all priced, in one currency, or none is.
   */
  price: Money | null;
}

/** A sale's durable configuration (what the repository stores). */
export interface SaleConfig {
  id: string;
  storeId: string | null;
  name: string;
  state: SaleState;
  schedule: SaleSchedule;
  holdMinutes: number;
  /** Units one customer may hold and buy across the sale's items; 0 means no limit. */
  perCustomerLimit: number;
  admission: AdmissionSettings;
  /** What happens to an order for this sale's items that holds no hold: allow, flag it, or cancel it. */
  bypassPolicy: BypassPolicy;
  failPolicy: FailPolicySetting;
  /**
   * A Shopify store's sale whose per-customer limit counts customers: holds only through the
   * app proxy, where Shopify verifies the customer (`POST /v1/sales/:id/holds` answers 403
   * `holds_through_store_only`). Needs a store and a per-customer limit.
   */
  holdsThroughStoreOnly: boolean;
  /** In display order. */
  items: SaleItem[];
}

export interface Sale extends SaleConfig {
  createdAt: number;
  updatedAt: number;
}

export interface NewSaleInput {
  name: string;
  storeId?: string | null;
  items: { title: string; allocation: number; platformRef?: string | null; price?: PriceInput | null }[];
  schedule?: Partial<SaleSchedule>;
  holdMinutes: number;
  perCustomerLimit: number;
  admission: { mode: AdmissionMode; perMinute?: number | null; maxActive?: number | null; passMinutes?: number };
  /** Default "flag". */
  bypassPolicy?: BypassPolicy;
  /** Default "auto". */
  failPolicy?: FailPolicySetting;
  /** Default false. */
  holdsThroughStoreOnly?: boolean;
}

/**
 * A change to a sale. Absent fields stay as they are; null clears an optional field.
 * `items`, when given, is the complete new list: an entry with an `id` updates that item,
 * one without adds an item, and an existing item left out is removed.
 */
export interface SalePatch {
  name?: string;
  schedule?: Partial<SaleSchedule>;
  holdMinutes?: number;
  perCustomerLimit?: number;
  admission?: Partial<AdmissionSettings>;
  bypassPolicy?: BypassPolicy;
  failPolicy?: FailPolicySetting;
  holdsThroughStoreOnly?: boolean;
  items?: { id?: string; title?: string; allocation?: number; platformRef?: string | null; price?: PriceInput | null }[];
}

export interface ItemCounters {
  allocated: number;
  available: number;
  held: number;
  sold: number;
}

/** The waiting room as the admin sees it. */
export interface RoomSummary {
  state: SaleState;
  /** In the queue, not yet admitted. */
  waiting: number;
  /** Admitted so far (the serving counter). */
  admitted: number;
  prequeued: number;
  issued: number;
  soldOut: boolean;
}

/** Configuration plus live counters; `live` fields are null while nothing is in Redis. */
export interface SaleDetails {
  sale: Sale;
  /** Per item id; missing for a draft. */
  counters: Record<string, ItemCounters>;
  activeHolds: number | null;
  room: RoomSummary | null;
}

export type SaleAction = "start" | "pause" | "resume" | "end";

import type { Line } from "../inventory/index.ts";

/** What Holdfast does with an order that reached the platform without a hold (it bypassed the waiting room). */
export type BypassPolicy = "allow" | "flag" | "cancel";

export const BYPASS_POLICIES: readonly BypassPolicy[] = ["allow", "flag", "cancel"];

/**
 * The durable state of one platform order (SQL `Order.status`):
 * - `committed`: its hold became a sale;
 * - `taken`, `flagged`, `cancel_requested`: it bypassed the waiting room and was sold from
 *   available stock; the sale's policy allowed it, flagged it for the merchant, or asked the
 *   platform to cancel it;
 * - `oversold_on_platform`: the platform sold units Holdfast did not have: what the sale had
 *   was sold to the order (committed or taken), the rest is recorded as oversold;
 * - `cancelled`, `failed`: it ended before any stock was sold to it (a hold was released, or
 *   the cancellation arrived first and a later "created" was ignored);
 * - `cancelled_after_sale`: cancelled after its units were sold; they stay sold until the
 *   merchant decides (see OrderProcessor).
 */
export type OrderStatus = "committed" | "taken" | "flagged" | "cancel_requested" | "oversold_on_platform" | "cancelled" | "failed" | "cancelled_after_sale";

/** Statuses in which the order holds sold units in Redis. */
export const SOLD_STATUSES: ReadonlySet<OrderStatus> = new Set(["committed", "taken", "flagged", "cancel_requested", "oversold_on_platform"]);
/** Statuses of an order that ended without selling anything: a later "created" must not sell. */
export const VOID_STATUSES: ReadonlySet<OrderStatus> = new Set(["cancelled", "failed"]);

export interface OrderRecord {
  saleId: string;
  platformOrderRef: string;
  status: OrderStatus;
  holdId: string | null;
  customerRef: string | null;
  /** Units sold to the order in the sale (committed from holds, and bypass units taken). */
  lines: Line[];
  /** True when the order did not come through a hold, or bought more than its holds covered. */
  bypass: boolean;
  /** The units beyond any verified hold, listed for the merchant (taken or oversold); absent: none. */
  bypassLines?: Line[];
  /** Units the platform sold that the sale no longer had; absent: none. */
  oversoldLines?: Line[];
}

/** The little the order processor needs to know about a sale. */
export interface OrderSale {
  id: string;
  storeId: string | null;
  bypassPolicy: BypassPolicy;
}

/**
 * Where orders are kept durably (SQL through Prisma in the app:
 * app/db/PrismaOrderRepository.ts). One row per (sale, platform order reference), so a
 * duplicate delivery can only ever rewrite the same row.
 */
export interface OrderRepository {
  findSale(saleId: string): Promise<OrderSale | null>;
  find(saleId: string, platformOrderRef: string): Promise<OrderRecord | null>;
  /** Inserts the order or replaces the row with the same (saleId, platformOrderRef). */
  save(order: OrderRecord): Promise<void>;
}

import type { Line } from "../inventory/index.ts";

/**
 * Units sold per item of a sale according to SQL, for every kind of order: headless checkout
 * (placed), Shopify and WooCommerce orders (committed, taken, flagged, ...), and the persisted
 * ledger where orders do not explain it. Reconciliation compares Redis with it; recovery
 * rebuilds Redis from it. The query is app/db/PrismaSoldUnits.ts; the rule is here.
 *
 * The rule:
 * 1. An order in a sold status counts its `lines` (the units sold to it; oversold units are
 *    its `oversoldLines`, counted apart). A headless order counts once `placed`.
 * 2. A persisted `commit` or `take` ledger entry counts when no sold order explains it: none
 *    has its order reference (as platform reference or row id) nor, for a commit, its hold.
 *    That is a sale whose SQL order was not written (a crash between the Redis step and the
 *    SQL step) or is still `processing`; Redis sold those units, so they stay sold.
 *    An `oversell` entry counts as oversold by the same test.
 * 3. Nothing else counts: holds, releases and expiries never sold anything, and a cancelled
 *    order (`cancelled`, `failed`) sold nothing (`cancelled_after_sale` keeps its units sold).
 */

/** Order statuses (SQL `Order.status`, both order paths) whose lines are sold units. */
export const SOLD_ORDER_STATUSES: ReadonlySet<string> = new Set([
  "committed",
  "taken",
  "flagged",
  "cancel_requested",
  "oversold_on_platform",
  "cancelled_after_sale",
  "placed",
]);

/** An order row as the rule reads it. */
export interface SoldUnitsOrder {
  /** The row id (a headless order's own id, `co-<hold>`). */
  id: string;
  platformOrderRef: string;
  holdId: string | null;
  status: string;
  lines: Line[];
  oversoldLines: Line[];
}

/** A persisted ledger entry that sold or oversold units. */
export interface SoldUnitsLedgerEntry {
  type: string;
  holdId: string | null;
  orderRef: string | null;
  customerRef: string | null;
  lines: Line[];
}

export interface SoldUnits {
  /** Units sold per item. */
  sold: Map<string, number>;
  /** Units platforms sold that the sale did not have, per item. */
  oversold: Map<string, number>;
  /** Units the ledger shows sold that no sold order explains, per item (part of `sold`). */
  ledgerOnly: Map<string, number>;
  /** Units bought per customer, as the ledger records them (the per-customer limit's count). */
  byCustomer: Map<string, number>;
  /** Order reference -> the hold it committed, or "take": what Redis keeps so a second delivery changes nothing. */
  recordedOrders: Map<string, string>;
}

/** The port: "units sold per item of this sale", from SQL. */
export interface SoldUnitsSource {
  soldUnits(saleId: string): Promise<SoldUnits>;
}

const add = (map: Map<string, number>, key: string, units: number) => map.set(key, (map.get(key) ?? 0) + units);

export function countSoldUnits(orders: readonly SoldUnitsOrder[], ledger: readonly SoldUnitsLedgerEntry[]): SoldUnits {
  const result: SoldUnits = { sold: new Map(), oversold: new Map(), ledgerOnly: new Map(), byCustomer: new Map(), recordedOrders: new Map() };
  const refs = new Set<string>();
  const holds = new Set<string>();
  for (const order of orders) {
    if (!SOLD_ORDER_STATUSES.has(order.status)) continue;
    refs.add(order.platformOrderRef).add(order.id);
    if (order.holdId !== null) holds.add(order.holdId);
    for (const line of order.lines) add(result.sold, line.itemId, line.quantity);
    for (const line of order.oversoldLines) add(result.oversold, line.itemId, line.quantity);
    result.recordedOrders.set(order.platformOrderRef, order.holdId ?? "take");
  }
  for (const entry of ledger) {
    if (entry.type !== "commit" && entry.type !== "take" && entry.type !== "oversell") continue;
    if (entry.type !== "oversell" && entry.customerRef !== null) {
      for (const line of entry.lines) add(result.byCustomer, entry.customerRef, line.quantity);
    }
    if (entry.orderRef !== null && !result.recordedOrders.has(entry.orderRef)) result.recordedOrders.set(entry.orderRef, entry.holdId ?? "take");
    const explained = (entry.orderRef !== null && refs.has(entry.orderRef)) || (entry.type === "commit" && entry.holdId !== null && holds.has(entry.holdId));
    if (explained) continue;
    for (const line of entry.lines) {
      if (entry.type === "oversell") add(result.oversold, line.itemId, line.quantity);
      else {
        add(result.sold, line.itemId, line.quantity);
        add(result.ledgerOnly, line.itemId, line.quantity);
      }
    }
  }
  return result;
}

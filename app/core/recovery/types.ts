/** One item as recovery rebuilt it. */
export interface RecoveredItem {
  itemId: string;
  allocated: number;
  /** Units sold, as SQL counts them (may exceed the allocation). */
  sold: number;
  available: number;
  /** Units sold beyond the allocation: recorded as oversold, never hidden. */
  beyondAllocation: number;
}

export interface OrderFix {
  orderId: string;
  /** placed: SQL caught up with a sale the ledger shows; requeued: its job was enqueued again; failed: it cannot be placed. */
  action: "placed" | "requeued" | "failed";
  /** Machine-readable, for failed orders. */
  reason?: string;
}

export type RecoveryOutcome =
  /** The sale's stock (and room) were rebuilt from SQL. */
  | "recovered"
  /** Redis had the sale's state: nothing was changed. */
  | "intact"
  /** Draft or ended: nothing lives in Redis for it. */
  | "not_needed"
  | "not_found";

export interface SaleRecoveryResult {
  saleId: string;
  outcome: RecoveryOutcome;
  /** The sale's state in SQL. */
  state: string | null;
  items: RecoveredItem[];
  /** Holds the persisted ledger shows in flight when Redis was lost: gone, their shoppers must add again. */
  holdsLost: number;
  unitsHeldLost: number;
  orders: OrderFix[];
  /** What could not be done (the CLI exits 3 when any). */
  problems: string[];
}

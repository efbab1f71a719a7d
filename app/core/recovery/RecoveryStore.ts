import type { RecoveredItem } from "./types.ts";

/** A headless checkout order SQL still shows in flight (`queued` or `processing`). */
export interface PendingCheckout {
  orderId: string;
  holdId: string | null;
  status: string;
  /** The order reference a persisted commit or take of this order sold under; null when the ledger shows none. */
  soldAs: string | null;
}

/** What the merchant is shown of one recovery (SQL `SaleRecovery`). */
export interface RecoveryRecord {
  saleId: string;
  recoveredAt: number;
  holdsLost: number;
  unitsHeldLost: number;
  items: RecoveredItem[];
  ordersPlaced: number;
  ordersRequeued: number;
  ordersFailed: number;
}

/**
 * Recovery's durable side (SQL through Prisma in the app: app/db/PrismaRecoveryStore.ts).
 * Units sold come from the one count (core/orders/soldUnits.ts), not from here.
 */
export interface RecoveryStore {
  /** Sales SQL says are set up in Redis and not over: scheduled, pre-queue, live or paused. */
  salesToCheck(): Promise<string[]>;
  /** Holds the persisted ledger shows reserved and not ended (lost with Redis), and their units. */
  holdsInFlight(saleId: string): Promise<{ holds: number; units: number }>;
  pendingCheckouts(saleId: string): Promise<PendingCheckout[]>;
  /** Moves a pending order on; a row no longer pending is left as it is (false). */
  settleCheckout(orderId: string, outcome: { status: "placed"; platformOrderRef: string } | { status: "failed"; reason: string }): Promise<boolean>;
  record(recovery: RecoveryRecord): Promise<void>;
  latest(saleId: string): Promise<RecoveryRecord | null>;
}

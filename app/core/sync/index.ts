/**
 * Write-back and reconciliation: keeping each platform's stock equal to Holdfast's, and
 * finding out where it is not.
 */
export { DEFAULT_ECHO_TTL_MS, EchoGuard } from "./EchoGuard.ts";
export { ExternalStockIntake, type ExternalStockIntakeOptions, type ExternalStockResult, type PlatformStockReport } from "./ExternalStockIntake.ts";
export { lastLedgerId } from "./ledgerCursor.ts";
export { FlushBusyError, StockWriteBack, type FlushOptions, type FlushOutcome, type FlushResult, type StockWriteBackOptions } from "./StockWriteBack.ts";
export type { PersistedLedgerEntry, SaleHistory, SyncCatalog, SyncItem, SyncSale } from "./SyncCatalog.ts";
export { DEFAULT_FLUSH_INTERVAL_MS, WRITE_BACK_SCHEDULER, WriteBackWorker, type TickResult, type WriteBackWorkerOptions } from "./WriteBackWorker.ts";
export {
  Reconciler,
  UnknownSaleStockError,
  type Drift,
  type DriftKind,
  type ItemReconciliation,
  type Reconciliation,
  type ReconcilerOptions,
} from "./Reconciler.ts";
export {
  DEFAULT_RECONCILE_INTERVAL_MS,
  RECONCILIATION_SCHEDULER,
  ReconciliationWorker,
  type ReconcileJobResult,
  type ReconciliationWorkerOptions,
} from "./ReconciliationWorker.ts";
export { describeReconciliation } from "./reconciliationTable.ts";
export type { WriteBackEntry, WriteBackJournal } from "./WriteBackJournal.ts";

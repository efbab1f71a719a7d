export { CHECKOUT_LOST, SaleRecovery, type SaleRecoveryDependencies } from "./SaleRecovery.ts";
export type { PendingCheckout, RecoveryRecord, RecoveryStore } from "./RecoveryStore.ts";
export type * from "./types.ts";

export {
  CheckoutFailure,
  CheckoutProcessor,
  type CheckoutOutcome,
  type CheckoutProcessorDependencies,
  type Pricing,
  type SaleCatalog,
} from "./CheckoutProcessor.ts";
export { CheckoutQueue, type CheckoutJob } from "./CheckoutQueue.ts";
export type { CheckoutOrderRepository, CheckoutOrderRow } from "./CheckoutOrderRepository.ts";
export { CheckoutSweeper, type CheckoutSweeperOptions } from "./CheckoutSweeper.ts";
export {
  CheckoutStore,
  type CheckoutError,
  type CheckoutOrder,
  type CheckoutStatus,
  type CheckoutStoreOptions,
  type Customer,
  type OpenResult,
} from "./CheckoutStore.ts";
export { CheckoutWorker, type CheckoutWorkerOptions } from "./CheckoutWorker.ts";
export { saleCatalog, salePricing, unitPricing, unitPricingFromEnv } from "./catalog.ts";
export { holdIdOfOrder, orderIdForHold } from "./orderIds.ts";
export { PaymentDeclinedError, PaymentUnavailableError, type Capture, type CaptureRequest, type Money, type PaymentProvider } from "./PaymentProvider.ts";

export { OrderBusyError, PermanentOrderError } from "./errors.ts";
export { orderEventsBySale, type PlatformOrder, type PlatformOrderLine } from "./eventsBySale.ts";
export { parseOrderEvent, type OrderEvent, type OrderEventKind } from "./OrderEvent.ts";
export { OrderIntake, orderEventJobId, type IntakeResult, type OrderIntakeOptions } from "./OrderIntake.ts";
export { holdEngineInventory, type OrderInventory } from "./OrderInventory.ts";
export { OrderLocks, type OrderLocksOptions } from "./OrderLocks.ts";
export { OrderProcessor, type CheckoutLinks, type OrderAction, type OrderOutcome, type OrderProcessorDependencies } from "./OrderProcessor.ts";
export {
  BYPASS_POLICIES,
  SOLD_STATUSES,
  VOID_STATUSES,
  type BypassPolicy,
  type OrderRecord,
  type OrderRepository,
  type OrderSale,
  type OrderStatus,
} from "./OrderRepository.ts";
export { OrderWorker, type OrderWorkerOptions } from "./OrderWorker.ts";
export { EVENT_PLATFORMS, parsePlatformEvent, type EventPlatform, type PlatformEvent } from "./PlatformEvent.ts";
export { PlatformEventProcessor, type PlatformEventOutcome, type PlatformEventProcessorDependencies } from "./PlatformEventProcessor.ts";
export { PlatformEventQueue, platformEventJobId } from "./PlatformEventQueue.ts";
export { PlatformEventWorker, type PlatformEventWorkerOptions } from "./PlatformEventWorker.ts";
export type { DropItem, OrderPayload, PlatformOrderMapping, PlatformOrders, PlatformTopicKind, StockLevel } from "./PlatformOrders.ts";
export { PlatformCallQueue, platformCallJobId, type CancelOrderCall, type PlatformCall, type PlatformCallSink } from "./PlatformCallQueue.ts";
export { DeliveryInbox, type Delivery, type DeliveryOutcome, type DrainResult, type StoredDelivery } from "./DeliveryInbox.ts";
export { countSoldUnits, SOLD_ORDER_STATUSES, type SoldUnits, type SoldUnitsLedgerEntry, type SoldUnitsOrder, type SoldUnitsSource } from "./soldUnits.ts";

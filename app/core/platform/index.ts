export type { CreatedOrder, NewOrder, OrderLine, Platform, PlatformKind, StockLevel, StockRef, StockWrite } from "./Platform.ts";
export { UnknownStoreError, type PlatformDirectory } from "./PlatformDirectory.ts";
export { PlatformError, type PlatformErrorKind } from "./PlatformError.ts";

export {
  HOLDFAST_CANCEL_REASON_META,
  HOLDFAST_ORDER_META,
  HOLDFAST_VOID_META,
  WOO_BATCH_LIMIT,
  WooCommercePlatform,
  type WooCommerceOptions,
} from "./WooCommercePlatform.ts";
export { DEFAULT_RETRY_AFTER_MS, WooBatchItemsError, type WooItemFailure } from "./errors.ts";
export { parseWooRef, productRef, variationRef, type WooRef } from "./refs.ts";

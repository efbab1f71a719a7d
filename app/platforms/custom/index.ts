export { CustomStorePlatform, type CustomStoreOptions } from "./CustomStorePlatform.ts";
export {
  CUSTOM_EVENT_TYPES,
  type CustomStoreEvent,
  type OrderCancelEvent,
  type OrderCreateAnswer,
  type OrderCreateEvent,
  type StockAnswer,
  type StockUpdatedEvent,
} from "./events.ts";
export {
  customSignatureHeaders,
  DEFAULT_TOLERANCE_SECONDS,
  IDEMPOTENCY_KEY_HEADER,
  signCustomPayload,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyCustomSignature,
  type CustomSignatureCheck,
  type HeaderSource,
  type SignedPayload,
} from "./signature.ts";

import type { NewOrder, OrderLine } from "../../core/platform/index.ts";

/**
 * What Holdfast POSTs to a custom store's endpoint, one JSON event per request. `id` equals the
 * `Idempotency-Key` header: the same event may arrive more than once (a retry after a lost
 * answer) and must then have the effect of one, and the same answer.
 */
export type CustomStoreEvent = StockUpdatedEvent | OrderCreateEvent | OrderCancelEvent;

interface EventBase {
  id: string;
  /** ISO 8601, when Holdfast built the event. */
  createdAt: string;
}

/** Set these absolute quantities (not deltas). `previous` is what Holdfast last read, when known. */
export interface StockUpdatedEvent extends EventBase {
  type: "stock.updated";
  data: { items: Array<{ ref: string; available: number; previous?: number | null }> };
}

/** Create an order; answer 200/201 `{platformOrderRef, paymentUrl?}`. */
export interface OrderCreateEvent extends EventBase {
  type: "order.create";
  data: { orderId: string; lines: OrderLine[]; customer: NewOrder["customer"]; reserveUntil?: string };
}

/** Cancel an order created before; cancelling a cancelled order succeeds. */
export interface OrderCancelEvent extends EventBase {
  type: "order.cancel";
  data: { platformOrderRef: string; reason: string };
}

export interface OrderCreateAnswer {
  platformOrderRef: string;
  paymentUrl?: string;
}

/** `GET <endpoint>/stock?refs=a,b` answers this; refs the store does not know are left out. */
export interface StockAnswer {
  items: Array<{ ref: string; available: number }>;
}

/**
 * Status codes a store answers, and what Holdfast does with them:
 *   2xx done; 401/403 credentials wrong (merchant must fix); 404 the order or item does not exist;
 *   409 `previous` no longer matches (Holdfast re-reads); 429 slow down (Retry-After honoured);
 *   408/5xx try again later; any other 4xx refused for good. Error bodies may be
 *   `{"error": {"code", "message"}}` or `{"code", "message"}`; the code is kept.
 */
export const CUSTOM_EVENT_TYPES = ["stock.updated", "order.create", "order.cancel"] as const;

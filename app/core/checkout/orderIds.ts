/**
 * A checkout's order id is derived from its hold: one hold buys one order, so a retried
 * POST /v1/checkout lands on the same order without any lookup. It is a reference, not a
 * secret (the hold id travels in the hold token anyway): reading an order needs its order
 * token or the hold token. Safe as a BullMQ job id and a platform idempotency key.
 */
const PREFIX = "co-";

export function orderIdForHold(holdId: string): string {
  return `${PREFIX}${holdId}`;
}

/** The hold of a checkout order id; null when `orderId` is not one. */
export function holdIdOfOrder(orderId: string): string | null {
  return orderId.startsWith(PREFIX) && /^[A-Za-z0-9_-]{1,64}$/.test(orderId.slice(PREFIX.length)) ? orderId.slice(PREFIX.length) : null;
}

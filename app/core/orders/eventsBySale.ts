import type { OrderEvent, OrderEventKind } from "./OrderEvent.ts";

/** One line of a platform order, already resolved to the platform's stock reference. */
export interface PlatformOrderLine {
  ref: string;
  quantity: number;
  /** The hold the widget attached to this line (a line item property or meta), if any. */
  holdId?: string | undefined;
  /** The signed hold token the widget attached next to it; the hold counts only once this verifies. */
  holdToken?: string | undefined;
}

export interface PlatformOrder {
  /** Names this delivery of this change; each sale's event id is `<changeId>.<saleId>`. */
  changeId: string;
  storeId: string;
  orderRef: string;
  kind: OrderEventKind;
  lines: readonly PlatformOrderLine[];
  /** A hold named for the whole order (a cart attribute, or our checkout's order id); used when the order touches one sale. */
  orderHold?: string | undefined;
  /** A hold token named for the whole order (a cart attribute); used when the order touches one sale. */
  orderHoldToken?: string | undefined;
  /** Made by the merchant's staff (POS, a draft order, an admin order), decided from the order's source. */
  createdByStaff?: boolean | undefined;
  customerRef?: string | undefined;
  occurredAt: number;
  /** The sale item a ref is in a running sale of the store; lines that are in none are not ours. */
  itemOf(ref: string): { saleId: string; itemId: string } | undefined;
}

/**
 * A platform order as order events: one per sale it touches (lines that are in no sale are
 * left out), each naming the hold a line carries, else the order's hold when there is one
 * sale. Shared by the Shopify and WooCommerce webhook mappings.
 */
export function orderEventsBySale(order: PlatformOrder): OrderEvent[] {
  const bySale = new Map<string, { lines: { itemId: string; quantity: number }[]; holdId?: string; tokens: Set<string> }>();
  for (const line of order.lines) {
    if (line.quantity <= 0) continue;
    const item = order.itemOf(line.ref);
    if (!item) continue;
    const group = bySale.get(item.saleId) ?? { lines: [], tokens: new Set<string>() };
    group.lines.push({ itemId: item.itemId, quantity: line.quantity });
    if (line.holdId !== undefined) group.holdId ??= line.holdId;
    if (line.holdToken !== undefined) group.tokens.add(line.holdToken);
    bySale.set(item.saleId, group);
  }
  const events: OrderEvent[] = [];
  for (const [saleId, group] of bySale) {
    const holdId = group.holdId ?? (bySale.size === 1 ? order.orderHold : undefined);
    if (bySale.size === 1 && order.orderHoldToken !== undefined) group.tokens.add(order.orderHoldToken);
    events.push({
      // One event per (change, sale), so a redelivery is dropped and two sales never collide.
      eventId: `${order.changeId}.${saleId}`.slice(0, 128),
      storeId: order.storeId,
      saleId,
      platformOrderRef: order.orderRef,
      kind: order.kind,
      lines: group.lines,
      ...(holdId === undefined ? {} : { holdId }),
      ...(group.tokens.size === 0 ? {} : { holdTokens: [...group.tokens] }),
      ...(order.createdByStaff ? { createdByStaff: true } : {}),
      ...(order.customerRef === undefined ? {} : { customerRef: order.customerRef }),
      occurredAt: order.occurredAt,
    });
  }
  return events;
}

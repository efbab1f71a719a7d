import type { OrderEvent } from "./OrderEvent.ts";
import type { EventPlatform, PlatformEvent } from "./PlatformEvent.ts";

/** A drop item of one sale. */
export interface DropItem {
  saleId: string;
  itemId: string;
}

export type PlatformOrderMapping =
  | { outcome: "events"; orderRef: string; events: OrderEvent[] }
  /** An order that takes no stock yet (WooCommerce's pending payment): nothing to do. */
  | { outcome: "ignored"; reason: string }
  /** Not an order of that platform: no retry can fix it. */
  | { outcome: "malformed"; reason: string };

export interface OrderPayload {
  event: PlatformEvent;
  storeId: string;
  /** The delivery's body, parsed as JSON. */
  payload: unknown;
  /** The drop item a line's stock ref is, from `dropItems`. */
  itemOf: (ref: string) => DropItem | undefined;
  now: number;
}

/**
 * The one port through which the platform-events worker turns a platform's order into order
 * events, whatever the platform: the adapter's reading of its payload (pure), and which drop
 * item each of the order's lines is, found by one rule for every platform (the sale states an
 * order can belong to, the most recently started sale first). Implemented over SQL, Redis and
 * the platforms' APIs outside the core (webhooks/platformOrders.server.ts).
 */
export interface PlatformOrders {
  /** The store a delivery's sender is, or null when none is installed (the delivery changes nothing). */
  storeOf(platform: EventPlatform, shop: string): Promise<string | null>;
  /** Whether the platform's topic is an order event (others are not this worker's). */
  isOrderTopic(platform: EventPlatform, topic: string): boolean;
  /** The stock refs the order's lines name, as the platform names them (none when the payload is not an order). */
  lineRefs(event: PlatformEvent, payload: unknown): string[];
  /** The order as order events, one per sale it touches. */
  toEvents(order: OrderPayload): PlatformOrderMapping;
  /** ref -> the drop item it is (newest sale first), for the refs that are drop items of the store. */
  dropItems(event: PlatformEvent, storeId: string, refs: readonly string[]): Promise<Map<string, DropItem>>;
}

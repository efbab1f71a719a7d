import type { OrderEvent } from "./OrderEvent.ts";
import type { EventPlatform, PlatformEvent } from "./PlatformEvent.ts";

/** What a platform topic is to the platform-events worker. */
export type PlatformTopicKind = "order" | "stock" | "product";

/** A platform's report of one stock ref's level: what core/sync's ExternalStockIntake takes. */
export interface StockLevel {
  storeId: string;
  ref: string;
  available: number;
}

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
 * The one port through which the platform-events worker reads what a platform sends, whatever
 * the platform: its orders become order events (the adapter's reading of the payload, pure,
 * and which drop item each line is, found by one rule for every platform: the sale states an
 * order can belong to, the most recently started sale first); its stock levels become stock
 * reports; its products teach which variant each stock item is, for later orders' lines.
 * Implemented over SQL, Redis and the platforms' APIs outside the core
 * (webhooks/platformOrders.server.ts).
 */
export interface PlatformOrders {
  /** The store a delivery's sender is, or null when none is installed (the delivery changes nothing). */
  storeOf(platform: EventPlatform, shop: string): Promise<string | null>;
  /** What the platform's topic is; null when it is none of this worker's business. */
  topicKind(platform: EventPlatform, topic: string): PlatformTopicKind | null;
  /** The stock refs the order's lines name, as the platform names them (none when the payload is not an order). */
  lineRefs(event: PlatformEvent, payload: unknown): string[];
  /** The order as order events, one per sale it touches. */
  toEvents(order: OrderPayload): PlatformOrderMapping;
  /** ref -> the drop item it is (newest sale first), for the refs that are drop items of the store. */
  dropItems(event: PlatformEvent, storeId: string, refs: readonly string[]): Promise<Map<string, DropItem>>;
  /** The stock level a stock delivery reports, or null when it reports none (untracked stock, no quantity). */
  stockLevel(event: PlatformEvent, storeId: string, payload: unknown): StockLevel | null;
  /** Keeps what a product delivery says of its variants' stock items, so later orders need no platform call. */
  learnProduct(event: PlatformEvent, storeId: string, payload: unknown): Promise<void>;
}

/**
 * The port every platform adapter (Shopify, WooCommerce, custom/headless) implements. The core
 * only ever talks to a store through it, and only from workers: a shopper request never waits
 * on a platform.
 */

export type PlatformKind = "shopify" | "woocommerce" | "custom";

/** A sellable unit on the platform: a Shopify variant's inventory item at a location, a WC product or variation. */
export interface StockRef {
  /** The adapter's own reference, e.g. "gid://shopify/InventoryItem/1@gid://shopify/Location/2" or "123" / "123:456". */
  ref: string;
}

export interface StockLevel extends StockRef {
  /** Units the platform will sell now. */
  available: number;
}

export interface StockWrite extends StockRef {
  /** The absolute quantity the platform should show. */
  available: number;
  /** What we last saw on the platform, for compare-and-set where the platform supports it. */
  previous?: number | null;
}

export interface OrderLine {
  ref: string;
  quantity: number;
}

export interface NewOrder {
  /** Ours, stable across retries: the adapter uses it as the platform idempotency key. */
  orderId: string;
  lines: OrderLine[];
  customer: { email?: string; name?: string } | null;
  /** A reservation deadline where the platform supports one (Shopify draft orders). */
  reserveUntil?: Date;
}

export interface CreatedOrder {
  platformOrderRef: string;
  /** Where the shopper pays, when the platform gives one (draft order invoice). */
  paymentUrl?: string;
}

export interface Platform {
  readonly kind: PlatformKind;
  /** At most the adapter's batch size per call; the write-back splits larger sets. */
  readonly maxBatch: number;
  /**
   * True when the adapter applies each write as the change from `previous` (WooCommerce with the
   * Holdfast plugin), so a sale the platform made since `previous` is kept: the write-back then
   * sends `previous`, what the platform was last confirmed or reported to hold.
   */
  readonly relativeStockWrites?: boolean;
  readStock(refs: readonly string[]): Promise<StockLevel[]>;
  /** Writes absolute quantities; `idempotencyKey` makes a retried call harmless. */
  writeStock(writes: readonly StockWrite[], idempotencyKey: string): Promise<void>;
  createOrder(order: NewOrder): Promise<CreatedOrder>;
  cancelOrder(platformOrderRef: string, reason: string): Promise<void>;
}

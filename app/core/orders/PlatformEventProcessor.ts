import type { Clock } from "../clock.ts";
import { systemClock } from "../clock.ts";
import { InvalidInputError } from "../errors/InvalidInputError.ts";
import { silentLogger, type Logger } from "../logger.ts";
import { PermanentOrderError } from "./errors.ts";
import type { OrderEvent } from "./OrderEvent.ts";
import type { IntakeResult } from "./OrderIntake.ts";
import type { PlatformEvent } from "./PlatformEvent.ts";
import type { DropItem, PlatformOrders, PlatformTopicKind, StockLevel } from "./PlatformOrders.ts";

export type PlatformEventOutcome =
  | { outcome: "events"; orderRef: string; events: number }
  /** A stock level handed to the stock intake; `result` is what the intake made of it (echo, applied, ...). */
  | { outcome: "stock"; ref: string; result: string }
  | { outcome: "product" }
  | { outcome: "ignored"; reason: string };

export interface PlatformEventProcessorDependencies {
  orders: PlatformOrders;
  intake: { enqueue(event: OrderEvent): Promise<IntakeResult> };
  /** Where stock levels go (core/sync's ExternalStockIntake): echo check, then the sale's platform book. */
  stock: { receive(report: StockLevel): Promise<{ outcome: string }> };
  clock?: Clock;
  logger?: Logger;
}

const PLATFORM_NAMES = { shopify: "Shopify", woocommerce: "WooCommerce" } as const;
const KIND_NAMES: Record<PlatformTopicKind, string> = { order: "order", stock: "stock level", product: "product" };

/**
 * What the platform-events worker does with one verified delivery, the same for every
 * platform: find the store, then by the topic's kind: read the order, look its lines' drop
 * items up, and enqueue one order event per sale; or hand the stock level to the stock intake;
 * or keep what a product says of its variants. A payload no retry can fix (not JSON, not an
 * order of its platform, an impossible stock level) is a PermanentOrderError
 * (`malformed_payload`, with the reason): the worker dead-letters it, and the platform got its
 * 2xx long ago (a retry would bring the same bytes). Failures of SQL, Redis or a platform are
 * thrown and retried. Deliveries run concurrently, as the platforms send them: a stock level's
 * order against an order is the platform book's business (HoldEngine.platformReport), not the
 * queue's.
 */
export class PlatformEventProcessor {
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly deps: PlatformEventProcessorDependencies) {
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
  }

  async process(event: PlatformEvent): Promise<PlatformEventOutcome> {
    const { orders } = this.deps;
    const kind = orders.topicKind(event.platform, event.topic);
    if (kind === null) return { outcome: "ignored", reason: `topic ${event.topic} is not a platform event Holdfast reads` };
    let payload: unknown;
    try {
      payload = JSON.parse(event.body) as unknown;
    } catch {
      throw malformed(event, kind, "the body is not JSON");
    }
    const storeId = await orders.storeOf(event.platform, event.shop);
    if (storeId === null) {
      this.logger.warn("platform event for a shop without a store record; ignored", { platform: event.platform, shop: event.shop, topic: event.topic });
      return { outcome: "ignored", reason: "no store for this shop" };
    }
    if (kind === "stock") return this.stockLevel(event, storeId, payload);
    if (kind === "product") {
      await orders.learnProduct(event, storeId, payload);
      return { outcome: "product" };
    }
    return this.order(event, storeId, payload);
  }

  private async order(event: PlatformEvent, storeId: string, payload: unknown): Promise<PlatformEventOutcome> {
    const { orders } = this.deps;
    const refs = [...new Set(orders.lineRefs(event, payload))];
    const items: Map<string, DropItem> = refs.length === 0 ? new Map() : await orders.dropItems(event, storeId, refs);
    const mapping = orders.toEvents({ event, storeId, payload, itemOf: (ref) => items.get(ref), now: this.clock.now() });
    if (mapping.outcome === "malformed") throw malformed(event, "order", mapping.reason);
    if (mapping.outcome === "ignored") return mapping;
    for (const orderEvent of mapping.events) await this.deps.intake.enqueue(orderEvent);
    this.logger.info("platform order mapped", { platform: event.platform, storeId, orderRef: mapping.orderRef, events: mapping.events.length });
    return { outcome: "events", orderRef: mapping.orderRef, events: mapping.events.length };
  }

  private async stockLevel(event: PlatformEvent, storeId: string, payload: unknown): Promise<PlatformEventOutcome> {
    const level = this.deps.orders.stockLevel(event, storeId, payload);
    if (level === null) return { outcome: "ignored", reason: "the delivery reports no stock level" };
    try {
      const { outcome } = await this.deps.stock.receive(level);
      return { outcome: "stock", ref: level.ref, result: outcome };
    } catch (error) {
      if (error instanceof InvalidInputError) throw malformed(event, "stock", error.message);
      throw error;
    }
  }
}

function malformed(event: PlatformEvent, kind: PlatformTopicKind, reason: string): PermanentOrderError {
  return new PermanentOrderError("malformed_payload", `not a ${PLATFORM_NAMES[event.platform]} ${KIND_NAMES[kind]} (${event.topic}): ${reason}`);
}

import type { Clock } from "../clock.ts";
import { systemClock } from "../clock.ts";
import { silentLogger, type Logger } from "../logger.ts";
import { PermanentOrderError } from "./errors.ts";
import type { OrderEvent } from "./OrderEvent.ts";
import type { IntakeResult } from "./OrderIntake.ts";
import type { PlatformEvent } from "./PlatformEvent.ts";
import type { DropItem, PlatformOrders } from "./PlatformOrders.ts";

export type PlatformEventOutcome = { outcome: "events"; orderRef: string; events: number } | { outcome: "ignored"; reason: string };

export interface PlatformEventProcessorDependencies {
  orders: PlatformOrders;
  intake: { enqueue(event: OrderEvent): Promise<IntakeResult> };
  clock?: Clock;
  logger?: Logger;
}

const PLATFORM_NAMES = { shopify: "Shopify", woocommerce: "WooCommerce" } as const;

/**
 * What the platform-events worker does with one verified delivery, the same for every
 * platform: find the store, read the order, look its lines' drop items up, and enqueue one
 * order event per sale. A payload that is not an order of its platform is a
 * PermanentOrderError (`malformed_payload`, with the reason): the worker dead-letters it, and
 * the platform got its 2xx long ago (a retry would bring the same bytes). Failures of SQL,
 * Redis or a platform are thrown and retried.
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
    if (!orders.isOrderTopic(event.platform, event.topic)) return { outcome: "ignored", reason: `topic ${event.topic} is not an order event` };
    let payload: unknown;
    try {
      payload = JSON.parse(event.body) as unknown;
    } catch {
      throw malformed(event, "the body is not JSON");
    }
    const storeId = await orders.storeOf(event.platform, event.shop);
    if (storeId === null) {
      this.logger.warn("order event for a shop without a store record; ignored", { platform: event.platform, shop: event.shop, topic: event.topic });
      return { outcome: "ignored", reason: "no store for this shop" };
    }
    const refs = [...new Set(orders.lineRefs(event, payload))];
    const items: Map<string, DropItem> = refs.length === 0 ? new Map() : await orders.dropItems(event, storeId, refs);
    const mapping = orders.toEvents({ event, storeId, payload, itemOf: (ref) => items.get(ref), now: this.clock.now() });
    if (mapping.outcome === "malformed") throw malformed(event, mapping.reason);
    if (mapping.outcome === "ignored") return mapping;
    for (const orderEvent of mapping.events) await this.deps.intake.enqueue(orderEvent);
    this.logger.info("platform order mapped", { platform: event.platform, storeId, orderRef: mapping.orderRef, events: mapping.events.length });
    return { outcome: "events", orderRef: mapping.orderRef, events: mapping.events.length };
  }
}

function malformed(event: PlatformEvent, reason: string): PermanentOrderError {
  return new PermanentOrderError("malformed_payload", `not a ${PLATFORM_NAMES[event.platform]} order (${event.topic}): ${reason}`);
}

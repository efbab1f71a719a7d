import type { Line } from "../inventory/index.ts";
import { silentLogger, type Logger } from "../logger.ts";
import { OrderBusyError, PermanentOrderError } from "./errors.ts";
import type { OrderEvent } from "./OrderEvent.ts";
import type { OrderInventory } from "./OrderInventory.ts";
import { OrderLocks } from "./OrderLocks.ts";
import {
  SOLD_STATUSES,
  VOID_STATUSES,
  type OrderRecord,
  type OrderRepository,
  type OrderSale,
  type OrderStatus,
} from "./OrderRepository.ts";
import type { PlatformCallSink } from "./PlatformCallQueue.ts";

/** What processing one event did (the BullMQ job's return value). */
export type OrderAction =
  /** created: its hold became a sale */
  | "committed"
  /** created without a (live) hold: sold from available, then the sale's bypass policy */
  | "taken"
  /** created, but the platform sold units we did not have */
  | "oversold"
  /** created after its cancellation had been processed: nothing sold, hold released */
  | "ignored_cancelled"
  /** cancelled/failed before anything was sold: hold released (if any), cancellation remembered */
  | "voided"
  /** cancelled/failed after its units were sold: recorded, units stay sold */
  | "cancelled_after_sale"
  /** nothing new: the order was already in this state */
  | "duplicate";

export interface OrderOutcome {
  action: OrderAction;
  status: OrderStatus;
}

/**
 * What the headless checkout knows about a hold (core/checkout's CheckoutStore implements it):
 * the platform order its checkout placed, "in_flight" while the checkout worker is still on
 * it, or null when no checkout used the hold.
 */
export interface CheckoutLinks {
  checkoutOfHold(saleId: string, holdId: string): Promise<{ platformOrderRef: string } | "in_flight" | null>;
}

export interface OrderProcessorDependencies {
  inventory: OrderInventory;
  orders: OrderRepository;
  platformCalls: PlatformCallSink;
  locks: OrderLocks;
  /** Recognises orders our headless checkout placed, when the platform reports them under another reference. */
  checkouts?: CheckoutLinks;
  logger?: Logger;
}

/**
 * Applies one order event to stock and to the order's durable record, so that any number of
 * deliveries of any events of an order, in any order, leave one effect:
 *
 * - Redis is the judge of stock effects: commit and take are idempotent by order reference
 *   (the inventory's orders hash), so a retry after a crash between Redis and SQL finds the
 *   effect already made and only writes the row.
 * - SQL remembers what Redis cannot: a cancellation that arrived before its order. A
 *   "created" for an order recorded as cancelled/failed sells nothing (and releases its hold).
 * - Events of one order run one at a time (OrderLocks), so "created" and "cancelled" racing
 *   each other still see one settled state.
 *
 * Cancellation after the sale is recorded, not undone: the units stay sold. Giving them back
 * is the merchant's call (the goods may have shipped, a restock may be planned, the platform
 * may restock on its own and the write-back would then double it); an automatic return to
 * `available` would sell the same unit twice if the cancellation is later reversed.
 */
export class OrderProcessor {
  private readonly inventory: OrderInventory;
  private readonly orders: OrderRepository;
  private readonly platformCalls: PlatformCallSink;
  private readonly locks: OrderLocks;
  private readonly checkouts: CheckoutLinks | undefined;
  private readonly logger: Logger;

  constructor(dependencies: OrderProcessorDependencies) {
    this.checkouts = dependencies.checkouts;
    this.inventory = dependencies.inventory;
    this.orders = dependencies.orders;
    this.platformCalls = dependencies.platformCalls;
    this.locks = dependencies.locks;
    this.logger = dependencies.logger ?? silentLogger;
  }

  async process(event: OrderEvent): Promise<OrderOutcome> {
    const sale = await this.orders.findSale(event.saleId);
    if (sale === null) throw new PermanentOrderError("unknown_sale", `sale ${event.saleId} does not exist`);
    if (event.storeId !== null && sale.storeId !== null && event.storeId !== sale.storeId) {
      throw new PermanentOrderError("store_mismatch", `sale ${event.saleId} belongs to another store than ${event.storeId}`);
    }
    return this.locks.withLock(event.saleId, event.platformOrderRef, async () => {
      const existing = await this.orders.find(event.saleId, event.platformOrderRef);
      const recorded = await this.inventory.recordedOrder(event.saleId, event.platformOrderRef);
      return event.kind === "created" ? this.created(event, sale, existing, recorded) : this.ended(event, existing, recorded);
    });
  }

  private async created(event: OrderEvent, sale: OrderSale, existing: OrderRecord | null, recorded: string | null): Promise<OrderOutcome> {
    if (existing !== null && VOID_STATUSES.has(existing.status)) {
      if (recorded !== null) {
        // Sold by someone else meanwhile (not through this processor): a cancelled order with sold units.
        return this.ended({ ...event, kind: "cancelled" }, existing, recorded);
      }
      // The cancellation came first: sell nothing, and free the hold the order was placed with.
      if (event.holdId !== undefined) await this.inventory.release(event.saleId, event.holdId);
      await this.save(event, { ...existing, holdId: existing.holdId ?? event.holdId ?? null, lines: pickLines(existing.lines, event.lines) });
      return { action: "ignored_cancelled", status: existing.status };
    }
    if (existing !== null) {
      // Already handled. A platform cancellation asked for earlier is asked for again: its
      // job id is stable, so this only restores it if a crash lost it.
      if (existing.status === "cancel_requested") await this.requestCancel(sale, event, "bypassed the waiting room");
      return { action: "duplicate", status: existing.status };
    }

    if (event.holdId !== undefined && this.checkouts !== undefined) {
      // A hold a headless checkout is using: that checkout commits it. Wait while it is being
      // placed; once placed, an order reported under another reference (a Shopify draft order
      // completed into an order) is the same sale, not a bypass.
      const checkout = await this.checkouts.checkoutOfHold(event.saleId, event.holdId);
      if (checkout === "in_flight") throw new OrderBusyError(`the checkout of hold ${event.holdId} is still being placed`);
      if (checkout !== null && checkout.platformOrderRef !== event.platformOrderRef) {
        await this.save(event, this.record(event, "committed", event.holdId, false, event.lines));
        return { action: "committed", status: "committed" };
      }
    }
    if (event.holdId !== undefined) {
      const commit = await this.inventory.commit(event.saleId, event.holdId, event.platformOrderRef);
      if (commit.outcome === "committed") {
        await this.save(event, this.record(event, "committed", event.holdId, false, commit.lines));
        return { action: "committed", status: "committed" };
      }
      if (commit.outcome === "duplicate") return this.alreadySold(event, sale, commit.holdId);
      // not_found: the hold expired and was reclaimed, or was released. Sell from available.
    }

    const take = await this.inventory.take(event.saleId, {
      lines: event.lines,
      orderRef: event.platformOrderRef,
      ...(event.customerRef === undefined ? {} : { customerId: event.customerRef }),
    });
    switch (take.outcome) {
      case "taken":
        return this.bypassed(event, sale);
      case "duplicate":
        return this.alreadySold(event, sale, take.holdId);
      case "sold_out":
        return this.oversold(event, sale, take.itemId, take.available);
      case "not_found":
        throw new PermanentOrderError(
          take.itemId === null ? "sale_not_stocked" : "unknown_item",
          take.itemId === null ? `sale ${event.saleId} has no stock in Redis (not started, or cleaned up)` : `item ${take.itemId} is not part of sale ${event.saleId}`,
        );
    }
  }

  /** The inventory already sold units to this order (a retry after a crash, or another event of it). */
  private async alreadySold(event: OrderEvent, sale: OrderSale, holdId: string | null): Promise<OrderOutcome> {
    if (holdId !== null) {
      await this.save(event, this.record(event, "committed", holdId, false, event.lines));
      return { action: "committed", status: "committed" };
    }
    return this.bypassed(event, sale);
  }

  private async bypassed(event: OrderEvent, sale: OrderSale): Promise<OrderOutcome> {
    // With a hold id, the hold had ended (expired and reclaimed, or released) before the order
    // came: the units were sold from available like any bypass, so the same policy applies.
    const fields = {
      saleId: event.saleId,
      orderRef: event.platformOrderRef,
      storeId: sale.storeId,
      policy: sale.bypassPolicy,
      endedHoldId: event.holdId ?? null,
    };
    let status: OrderStatus = "taken";
    if (sale.bypassPolicy === "flag") {
      status = "flagged";
      this.logger.warn("order bypassed the waiting room: flagged for the merchant", fields);
    } else if (sale.bypassPolicy === "cancel") {
      status = "cancel_requested";
      this.logger.warn("order bypassed the waiting room: asking the platform to cancel it", fields);
      await this.requestCancel(sale, event, "bypassed the waiting room");
    }
    await this.save(event, this.record(event, status, event.holdId ?? null, true, event.lines));
    return { action: "taken", status };
  }

  private async oversold(event: OrderEvent, sale: OrderSale, itemId: string, available: number): Promise<OrderOutcome> {
    this.logger.error("OVERSOLD ON PLATFORM: the platform sold units this sale did not have", {
      saleId: event.saleId,
      orderRef: event.platformOrderRef,
      storeId: sale.storeId,
      itemId,
      available,
      lines: event.lines,
    });
    if (sale.bypassPolicy === "cancel") await this.requestCancel(sale, event, `oversold: item ${itemId} has ${available} left`);
    await this.save(event, this.record(event, "oversold_on_platform", event.holdId ?? null, true, event.lines));
    return { action: "oversold", status: "oversold_on_platform" };
  }

  private async ended(event: OrderEvent, existing: OrderRecord | null, recorded: string | null): Promise<OrderOutcome> {
    if (recorded !== null) {
      // Its units are sold: record the cancellation, leave the stock as it is (see the class note).
      if (existing?.status === "cancelled_after_sale") return { action: "duplicate", status: "cancelled_after_sale" };
      const holdId = recorded === "take" ? null : recorded;
      const base = existing ?? this.record(event, "committed", holdId, holdId === null, event.lines);
      await this.save(event, { ...base, status: "cancelled_after_sale", holdId: base.holdId ?? holdId, lines: pickLines(base.lines, event.lines) });
      this.logger.warn("order cancelled after its units were sold: they stay sold until the merchant restocks", {
        saleId: event.saleId,
        orderRef: event.platformOrderRef,
        previousStatus: existing?.status ?? null,
        kind: event.kind,
      });
      return { action: "cancelled_after_sale", status: "cancelled_after_sale" };
    }
    // Nothing sold to it: free its hold, and remember the cancellation for a late "created".
    if (event.holdId !== undefined) await this.inventory.release(event.saleId, event.holdId);
    if (existing !== null && (VOID_STATUSES.has(existing.status) || existing.status === "cancelled_after_sale")) {
      return { action: "duplicate", status: existing.status };
    }
    if (existing !== null && SOLD_STATUSES.has(existing.status)) {
      // SQL says sold but Redis has no record of it: Redis lost it (restored from an old
      // snapshot?). Do not guess; reconciliation compares the two.
      this.logger.error("order recorded as sold in SQL but not in Redis", { saleId: event.saleId, orderRef: event.platformOrderRef, status: existing.status });
    }
    const status: OrderStatus = event.kind === "failed" ? "failed" : "cancelled";
    const base = existing ?? this.record(event, status, event.holdId ?? null, false, event.lines);
    await this.save(event, { ...base, status, holdId: base.holdId ?? event.holdId ?? null, lines: pickLines(base.lines, event.lines) });
    return { action: "voided", status };
  }

  private async requestCancel(sale: OrderSale, event: OrderEvent, reason: string): Promise<void> {
    if (sale.storeId === null) {
      this.logger.warn("sale has no platform store: nothing to cancel on", { saleId: sale.id, orderRef: event.platformOrderRef });
      return;
    }
    await this.platformCalls.enqueue({ type: "cancelOrder", storeId: sale.storeId, platformOrderRef: event.platformOrderRef, reason, saleId: sale.id });
  }

  private record(event: OrderEvent, status: OrderStatus, holdId: string | null, bypass: boolean, lines: Line[]): OrderRecord {
    return {
      saleId: event.saleId,
      platformOrderRef: event.platformOrderRef,
      status,
      holdId,
      customerRef: event.customerRef ?? null,
      lines,
      bypass,
    };
  }

  private async save(event: OrderEvent, order: OrderRecord): Promise<void> {
    await this.orders.save({ ...order, customerRef: order.customerRef ?? event.customerRef ?? null });
  }
}

function pickLines(kept: Line[], incoming: Line[]): Line[] {
  return kept.length > 0 ? kept : incoming;
}

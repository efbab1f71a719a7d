import type { Line, SettleResult } from "../inventory/index.ts";
import { silentLogger, type Logger } from "../logger.ts";
import { TokenError, verifyHoldClaims, type KeyringSource } from "../tokens/index.ts";
import { OrderBusyError, PermanentOrderError } from "./errors.ts";
import type { OrderEvent } from "./OrderEvent.ts";
import type { OrderInventory } from "./OrderInventory.ts";
import { OrderLocks } from "./OrderLocks.ts";
import { SOLD_STATUSES, VOID_STATUSES, type OrderRecord, type OrderRepository, type OrderSale, type OrderStatus } from "./OrderRepository.ts";
import type { PlatformCallSink } from "./PlatformCallQueue.ts";

/** What processing one event did (the BullMQ job's return value). */
export type OrderAction =
  /** created: its hold became a sale */
  | "committed"
  /** created with units beyond its verified holds: those sold from available, then the sale's bypass policy */
  | "taken"
  /** created, but the platform sold units we did not have: recorded as oversold */
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
  /** The stores' signing keys, to verify the hold tokens orders carry; without it no hold token counts. */
  keyrings?: KeyringSource;
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
  private readonly keyrings: KeyringSource | undefined;
  private readonly logger: Logger;

  constructor(dependencies: OrderProcessorDependencies) {
    this.keyrings = dependencies.keyrings;
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
      return event.kind === "created" ? this.created(event, sale, existing, recorded) : this.ended(event, sale, existing, recorded);
    });
  }

  private async created(event: OrderEvent, sale: OrderSale, existing: OrderRecord | null, recorded: string | null): Promise<OrderOutcome> {
    if (existing !== null && VOID_STATUSES.has(existing.status)) {
      if (recorded !== null) {
        // Sold by someone else meanwhile (not through this processor): a cancelled order with sold units.
        return this.ended({ ...event, kind: "cancelled" }, sale, existing, recorded);
      }
      // The cancellation came first: sell nothing, and free the hold the order was placed with.
      await this.releaseHolds(event, sale);
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
    const holdIds = await this.verifiedHolds(event, sale);
    const settled = await this.inventory.settleOrder(event.saleId, {
      orderRef: event.platformOrderRef,
      holdIds,
      lines: event.lines,
      ...(event.customerRef === undefined ? {} : { customerId: event.customerRef }),
    });
    switch (settled.outcome) {
      case "settled":
        return this.settled(event, sale, settled);
      case "duplicate":
        return this.alreadySold(event, sale, settled.holdId);
      case "not_found":
        throw new PermanentOrderError(
          settled.itemId === null ? "sale_not_stocked" : "unknown_item",
          settled.itemId === null
            ? `sale ${event.saleId} has no stock in Redis (not started, or cleaned up)`
            : `item ${settled.itemId} is not part of sale ${event.saleId}`,
        );
    }
  }

  /**
   * The holds the order's tokens prove: signed with the sale's store's keys (a retired key
   * still counts, an unknown one does not), of type hold, for this sale. Expiry is not the
   * token's business here: an expired hold that was not reclaimed is still committed. A token
   * that fails is logged (never quoted) and its line's units become bypass units.
   */
  private async verifiedHolds(event: OrderEvent, sale: OrderSale): Promise<string[]> {
    const tokens = event.holdTokens ?? [];
    if (tokens.length === 0) return [];
    if (this.keyrings === undefined) {
      this.logger.warn("order carries hold tokens but no keyring source is wired: treated as bypass", {
        saleId: event.saleId,
        orderRef: event.platformOrderRef,
      });
      return [];
    }
    const keyring = await this.keyrings.forStore(sale.storeId);
    const holdIds: string[] = [];
    for (const token of tokens) {
      try {
        holdIds.push(verifyHoldClaims(token, keyring, { saleId: event.saleId, now: Date.now(), acceptExpired: true }).h);
      } catch (error) {
        if (!(error instanceof TokenError)) throw error;
        this.logger.warn("order line carries a hold token that does not verify: its units are bypass units", {
          saleId: event.saleId,
          orderRef: event.platformOrderRef,
          reason: error.code,
        });
      }
    }
    return holdIds;
  }

  private async settled(event: OrderEvent, sale: OrderSale, result: Extract<SettleResult, { outcome: "settled" }>): Promise<OrderOutcome> {
    const sold = mergeLines(result.committed, result.taken);
    const bypassLines = mergeLines(result.taken, result.oversold);
    const record = (status: OrderStatus): OrderRecord => ({
      // A bypass keeps the hold id it named (expired, released, unproven) for the merchant's record.
      ...this.record(event, status, result.holdId ?? event.holdId ?? null, bypassLines.length > 0, sold),
      bypassLines,
      oversoldLines: result.oversold,
    });
    if (result.oversold.length > 0) return this.oversold(event, sale, record, result.oversold);
    if (bypassLines.length === 0) {
      await this.save(event, record("committed"));
      return { action: "committed", status: "committed" };
    }
    return this.bypassed(event, sale, record);
  }

  /** The inventory already sold units to this order (a retry after a crash, or another event of it). */
  private async alreadySold(event: OrderEvent, sale: OrderSale, holdId: string | null): Promise<OrderOutcome> {
    // The first try's breakdown is gone with its crash; the order's lines are what it sold.
    if (holdId !== null) {
      await this.save(event, this.record(event, "committed", holdId, false, event.lines));
      return { action: "committed", status: "committed" };
    }
    return this.bypassed(event, sale, (status) => ({ ...this.record(event, status, null, true, event.lines), bypassLines: event.lines }));
  }

  /** What the bypass policy asks for this order: a merchant's own staff orders are never cancelled. */
  private policyOf(event: OrderEvent, sale: OrderSale): OrderSale["bypassPolicy"] {
    return sale.bypassPolicy === "cancel" && event.createdByStaff === true ? "flag" : sale.bypassPolicy;
  }

  private async bypassed(event: OrderEvent, sale: OrderSale, record: (status: OrderStatus) => OrderRecord): Promise<OrderOutcome> {
    // Units beyond the order's verified holds (none at all, a raised quantity, a second drop
    // item, a forged token, a hold that had ended) were sold from available: the policy applies.
    const policy = this.policyOf(event, sale);
    const order = record("taken");
    const fields = {
      saleId: event.saleId,
      orderRef: event.platformOrderRef,
      storeId: sale.storeId,
      policy,
      createdByStaff: event.createdByStaff === true,
      bypassLines: order.bypassLines,
      namedHoldId: event.holdId ?? null,
    };
    let status: OrderStatus = "taken";
    if (policy === "flag") {
      status = "flagged";
      this.logger.warn("order bypassed the waiting room: flagged for the merchant", fields);
    } else if (policy === "cancel") {
      status = "cancel_requested";
      this.logger.warn("order bypassed the waiting room: asking the platform to cancel it", fields);
      await this.requestCancel(sale, event, "bypassed the waiting room");
    }
    await this.save(event, { ...order, status });
    return { action: "taken", status };
  }

  private async oversold(event: OrderEvent, sale: OrderSale, record: (status: OrderStatus) => OrderRecord, oversold: Line[]): Promise<OrderOutcome> {
    this.logger.error("OVERSOLD ON PLATFORM: the platform sold units this sale did not have", {
      saleId: event.saleId,
      orderRef: event.platformOrderRef,
      storeId: sale.storeId,
      oversold,
      lines: event.lines,
    });
    if (this.policyOf(event, sale) === "cancel") {
      await this.requestCancel(
        sale,
        event,
        `oversold: ${oversold.map((line) => `${line.quantity} of item ${line.itemId}`).join(", ")} beyond the sale's stock`,
      );
    }
    await this.save(event, record("oversold_on_platform"));
    return { action: "oversold", status: "oversold_on_platform" };
  }

  /** Only holds the order's tokens prove are released: a hold id alone could name anyone's hold. */
  private async releaseHolds(event: OrderEvent, sale: OrderSale): Promise<void> {
    for (const holdId of await this.verifiedHolds(event, sale)) await this.inventory.release(event.saleId, holdId);
  }

  private async ended(event: OrderEvent, sale: OrderSale, existing: OrderRecord | null, recorded: string | null): Promise<OrderOutcome> {
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
    // Nothing sold to it: free its holds, and remember the cancellation for a late "created".
    await this.releaseHolds(event, sale);
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
      bypassLines: bypass ? lines : [],
      oversoldLines: [],
    };
  }

  private async save(event: OrderEvent, order: OrderRecord): Promise<void> {
    await this.orders.save({ ...order, customerRef: order.customerRef ?? event.customerRef ?? null });
  }
}

function mergeLines(...lists: Line[][]): Line[] {
  const units = new Map<string, number>();
  for (const line of lists.flat()) units.set(line.itemId, (units.get(line.itemId) ?? 0) + line.quantity);
  return [...units].map(([itemId, quantity]) => ({ itemId, quantity }));
}

function pickLines(kept: Line[], incoming: Line[]): Line[] {
  return kept.length > 0 ? kept : incoming;
}

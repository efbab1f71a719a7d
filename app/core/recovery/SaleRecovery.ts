import { systemClock, type Clock } from "../clock.ts";
import type { CheckoutJob } from "../checkout/index.ts";
import type { HoldEngine } from "../inventory/index.ts";
import { silentLogger, type Logger } from "../logger.ts";
import type { SoldUnitsSource } from "../orders/index.ts";
import { roomSettings, type SaleRepository } from "../sales/index.ts";
import type { WaitingRoom } from "../waiting-room/index.ts";
import type { PendingCheckout, RecoveryStore } from "./RecoveryStore.ts";
import type { OrderFix, RecoveredItem, SaleRecoveryResult } from "./types.ts";

/** States whose stock and room live in Redis (draft: not yet; ended: no longer needed). */
const LIVE_STATES = new Set(["scheduled", "prequeue", "live", "paused"]);

export interface SaleRecoveryDependencies {
  sales: SaleRepository;
  holds: HoldEngine;
  room: WaitingRoom;
  soldUnits: SoldUnitsSource;
  store: RecoveryStore;
  /** Whether a headless checkout's Redis record (with its payment payload) still exists in a state its job can work. */
  checkoutWorkable(saleId: string, orderId: string): Promise<boolean>;
  /** The checkout queue (job id = order id, so enqueueing an order that has its job is a no-op). */
  enqueueCheckout(job: CheckoutJob): Promise<void>;
  /** Gives a failed order's money back (idempotent by order id); absent where no payment provider is configured. */
  refund?: (orderId: string, reason: string) => Promise<void>;
  clock?: Clock;
  logger?: Logger;
}

/** Why a pending checkout was failed: its hold and payment details were in the Redis that was lost, and no sale was recorded. */
export const CHECKOUT_LOST = "recovery_checkout_lost";

/**
 * Rebuilds a sale whose Redis state is gone (Redis restarted empty, or replaced) from SQL:
 * the room from the sale's settings and state, the stock from the items' allocations and the
 * units SQL counts sold (core/orders/soldUnits.ts), in one script that refuses to overwrite
 * stock that exists. Holds lived only in Redis: they are gone, and the result says how many
 * the persisted ledger shows in flight. Headless orders left `queued`/`processing` are placed
 * (the ledger shows their sale), re-enqueued (their checkout record survived), or failed with
 * a reason and refunded. Idempotent: a sale whose stock exists is left alone.
 */
export class SaleRecovery {
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly deps: SaleRecoveryDependencies) {
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
  }

  /** Every sale SQL says should be in Redis and is not; one result per sale checked. */
  async recoverAll(): Promise<SaleRecoveryResult[]> {
    const results: SaleRecoveryResult[] = [];
    for (const saleId of await this.deps.store.salesToCheck()) results.push(await this.recover(saleId));
    return results;
  }

  async recover(saleId: string): Promise<SaleRecoveryResult> {
    const result: SaleRecoveryResult = { saleId, outcome: "not_found", state: null, items: [], holdsLost: 0, unitsHeldLost: 0, orders: [], problems: [] };
    const sale = await this.deps.sales.get(saleId);
    if (sale === null) return { ...result, problems: [`there is no sale ${saleId}`] };
    result.state = sale.state;
    if (!LIVE_STATES.has(sale.state)) return { ...result, outcome: "not_needed" };
    const [snapshot, view] = await Promise.all([this.deps.holds.snapshot(saleId), this.deps.room.view(saleId)]);
    if (snapshot !== null && view !== null) return { ...result, outcome: "intact" };

    // The room first: configure keeps an existing room, so this is safe to repeat; the stock
    // script comes last, as the step that makes the sale "present" again.
    if (view === null) await this.restoreRoom(sale);
    if (snapshot !== null) return { ...result, outcome: "recovered" };

    const pending = await this.deps.store.pendingCheckouts(saleId);
    const fixes: OrderFix[] = [];
    // Orders whose sale the ledger shows become placed before counting, so they count as orders.
    for (const order of pending.filter((candidate) => candidate.soldAs !== null)) {
      if (await this.deps.store.settleCheckout(order.orderId, { status: "placed", platformOrderRef: order.soldAs ?? order.orderId })) {
        fixes.push({ orderId: order.orderId, action: "placed" });
      }
    }

    const counted = await this.deps.soldUnits.soldUnits(saleId);
    const items: RecoveredItem[] = sale.items.map((item) => {
      const sold = counted.sold.get(item.id) ?? 0;
      const kept = Math.min(sold, item.allocation);
      return { itemId: item.id, allocated: item.allocation, sold, available: item.allocation - kept, beyondAllocation: sold - kept };
    });
    const restored = await this.deps.holds.restoreSale(saleId, {
      perCustomerLimit: sale.perCustomerLimit,
      items: items.map((item) => ({ itemId: item.itemId, allocation: item.allocated, sold: item.sold, oversold: counted.oversold.get(item.itemId) ?? 0 })),
      customers: [...counted.byCustomer],
      orders: [...counted.recordedOrders],
    });
    // Another recovery (another process) got there first: its record tells the merchant.
    if (restored.outcome === "exists") return { ...result, outcome: "intact", orders: fixes };

    for (const order of pending.filter((candidate) => candidate.soldAs === null)) fixes.push(await this.settlePending(saleId, order, result.problems));
    const lost = await this.deps.store.holdsInFlight(saleId);
    Object.assign(result, { outcome: "recovered", items, holdsLost: lost.holds, unitsHeldLost: lost.units, orders: fixes });
    const count = (action: OrderFix["action"]) => fixes.filter((fix) => fix.action === action).length;
    await this.deps.store.record({
      saleId,
      recoveredAt: this.clock.now(),
      holdsLost: lost.holds,
      unitsHeldLost: lost.units,
      items,
      ordersPlaced: count("placed"),
      ordersRequeued: count("requeued"),
      ordersFailed: count("failed"),
    });
    this.logger.warn("sale recovered from SQL after its Redis state was lost", {
      saleId,
      holdsLost: lost.holds,
      unitsHeldLost: lost.units,
      sold: Object.fromEntries(items.map((item) => [item.itemId, item.sold])),
      beyondAllocation: items.filter((item) => item.beyondAllocation > 0).map((item) => item.itemId),
      orders: fixes,
    });
    return result;
  }

  private async restoreRoom(sale: NonNullable<Awaited<ReturnType<SaleRepository["get"]>>>): Promise<void> {
    await this.deps.room.configure(sale.id, roomSettings(sale), sale.state === "prequeue" ? "prequeue" : "scheduled");
    // A room goes live, then pauses: the same path the merchant's buttons take.
    if (sale.state === "live" || sale.state === "paused") await this.deps.room.transition(sale.id, "live");
    if (sale.state === "paused") await this.deps.room.transition(sale.id, "paused");
  }

  private async settlePending(saleId: string, order: PendingCheckout, problems: string[]): Promise<OrderFix> {
    if (await this.deps.checkoutWorkable(saleId, order.orderId)) {
      // Its job takes the units from what is available now (the hold is gone), or fails it with a reason.
      await this.deps.enqueueCheckout({ saleId, orderId: order.orderId });
      return { orderId: order.orderId, action: "requeued" };
    }
    await this.deps.store.settleCheckout(order.orderId, { status: "failed", reason: CHECKOUT_LOST });
    if (this.deps.refund) {
      try {
        await this.deps.refund(order.orderId, CHECKOUT_LOST);
      } catch (error) {
        problems.push(`order ${order.orderId}: the refund failed (${error instanceof Error ? error.message : String(error)}); refund it by hand`);
      }
    } else if (order.status === "processing") {
      problems.push(`order ${order.orderId}: no payment provider is configured here; check whether it was charged and refund it by hand`);
    }
    return { orderId: order.orderId, action: "failed", reason: CHECKOUT_LOST };
  }
}

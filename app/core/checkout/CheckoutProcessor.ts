import { silentLogger, type Logger } from "../logger.ts";
import type { Line } from "../inventory/index.ts";
import type { OrderInventory } from "../orders/OrderInventory.ts";
import type { OrderLocks } from "../orders/OrderLocks.ts";
import { PlatformError, UnknownStoreError, type CreatedOrder, type PlatformDirectory } from "../platform/index.ts";
import type { CheckoutError, CheckoutOrder, CheckoutStatus, CheckoutStore } from "./CheckoutStore.ts";
import type { CheckoutOrderRepository } from "./CheckoutOrderRepository.ts";
import { PaymentDeclinedError, type Money, type PaymentProvider } from "./PaymentProvider.ts";

/** The platform references of a sale's items (null: the item is not on a platform). */
export type SaleCatalog = (saleId: string) => Promise<Record<string, string | null> | null>;
/** What the shopper pays for these lines. */
export type Pricing = (saleId: string, lines: readonly Line[]) => Promise<Money>;

export interface CheckoutProcessorDependencies {
  store: CheckoutStore;
  payments: PaymentProvider;
  platforms: PlatformDirectory;
  inventory: OrderInventory;
  orders: CheckoutOrderRepository;
  /** The order processor's locks: a webhook about the same platform order waits for us. */
  locks: OrderLocks;
  catalog: SaleCatalog;
  pricing: Pricing;
  logger?: Logger;
}

export interface CheckoutOutcome {
  status: CheckoutStatus;
  /** Set when the order ended in failure. */
  error?: CheckoutError;
}

/** A failure no retry can fix: the checkout is unwound (hold released, payment refunded). */
export class CheckoutFailure extends Error {
  override readonly name = "CheckoutFailure";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Works one checkout: capture the payment, create the platform order, commit the hold to it,
 * write the SQL row. Every step is idempotent by our order id (payment, platform order) or by
 * the platform order reference (commit), so a job run again after a crash repeats nothing.
 * Transient failures (payment provider or platform unavailable, open breaker) are thrown for
 * BullMQ to retry; permanent ones unwind the checkout and settle it as failed.
 */
export class CheckoutProcessor {
  private readonly logger: Logger;

  constructor(private readonly deps: CheckoutProcessorDependencies) {
    this.logger = deps.logger ?? silentLogger;
  }

  async process(saleId: string, orderId: string): Promise<CheckoutOutcome> {
    const order = await this.deps.store.get(saleId, orderId);
    if (order === null) throw new CheckoutFailure("unknown_order", `checkout ${orderId} of sale ${saleId} has no record (expired?)`);
    if (order.status === "placed") return { status: "placed" };
    if (order.status === "failed") {
      if (order.refundPending) await this.refund(order);
      return { status: "failed", ...(order.error ? { error: order.error } : {}) };
    }
    try {
      return await this.place(order);
    } catch (error) {
      if (error instanceof CheckoutFailure) return this.fail(order, { code: error.code, message: error.message });
      throw error;
    }
  }

  /** Called after the last attempt of a transient failure: the checkout is given up and unwound. */
  async giveUp(saleId: string, orderId: string, reason: string): Promise<CheckoutOutcome> {
    const order = await this.deps.store.get(saleId, orderId);
    if (order === null || order.status === "placed" || order.status === "failed") return { status: order?.status ?? "failed" };
    return this.fail(order, { code: "checkout_unavailable", message: `We could not complete the order in time (${reason}); you have not been charged.` });
  }

  private async place(order: CheckoutOrder): Promise<CheckoutOutcome> {
    const { saleId, orderId } = order;
    if (order.status === "queued") await this.deps.store.markProcessing(saleId, orderId);
    await this.deps.orders.save(this.row(order, "processing", orderId));
    const platformLines = order.storeId === null ? [] : await this.platformLines(order);

    await this.capture(order);
    const created = await this.createPlatformOrder(order, platformLines);
    if (created.platformOrderRef !== orderId) await this.deps.store.notePlatformOrder(saleId, orderId, created.platformOrderRef, created.paymentUrl);

    await this.deps.locks.withLock(saleId, created.platformOrderRef, async () => {
      await this.commitStock(order, created.platformOrderRef);
      await this.deps.orders.save(this.row(order, "placed", created.platformOrderRef));
    });
    await this.deps.store.markPlaced(saleId, orderId, created.platformOrderRef, created.paymentUrl);
    this.logger.info("checkout placed", { saleId, orderId, platformOrderRef: created.platformOrderRef });
    return { status: "placed" };
  }

  private async platformLines(order: CheckoutOrder): Promise<{ ref: string; quantity: number }[]> {
    const refs = await this.deps.catalog(order.saleId);
    if (refs === null) throw new CheckoutFailure("sale_not_found", `sale ${order.saleId} no longer exists`);
    return order.lines.map((line) => {
      const ref = refs[line.itemId];
      if (!ref) throw new CheckoutFailure("item_not_on_platform", `item ${line.itemId} has no product on the store's platform; the merchant must link it`);
      return { ref, quantity: line.quantity };
    });
  }

  private async capture(order: CheckoutOrder): Promise<void> {
    if (order.payment === null) throw new CheckoutFailure("payment_missing", "the checkout lost its payment details");
    const amount = await this.deps.pricing(order.saleId, order.lines);
    try {
      await this.deps.payments.capture({ orderId: order.orderId, amount, payment: order.payment });
    } catch (error) {
      if (error instanceof PaymentDeclinedError) throw new CheckoutFailure(error.code, `Your payment was declined: ${error.message}`);
      // PaymentUnavailableError and anything unexpected: BullMQ retries.
      throw error;
    }
  }

  private async createPlatformOrder(order: CheckoutOrder, lines: { ref: string; quantity: number }[]): Promise<CreatedOrder> {
    // The standalone store (demo, headless without a platform): Holdfast's own order is the order.
    if (order.storeId === null) return { platformOrderRef: order.orderId };
    try {
      const platform = await this.deps.platforms.forStore(order.storeId);
      return await platform.createOrder({ orderId: order.orderId, lines, customer: order.customer });
    } catch (error) {
      if (error instanceof UnknownStoreError) throw new CheckoutFailure("store_unavailable", error.message);
      // Refused as such (4xx, unauthorized, unknown product); outages and an open breaker are retried.
      if (error instanceof PlatformError && !error.retryable) {
        throw new CheckoutFailure("platform_rejected", `The store refused the order: ${error.message}`);
      }
      throw error;
    }
  }

  /**
   * The hold becomes sold to the platform order. Its expiry was pushed to the checkout
   * deadline when the checkout opened; if it lapsed anyway (a long outage), the units are
   * taken from what is available, and only when none are left does the order fail.
   */
  private async commitStock(order: CheckoutOrder, platformOrderRef: string): Promise<void> {
    const commit = await this.deps.inventory.commit(order.saleId, order.holdId, platformOrderRef);
    if (commit.outcome !== "not_found") return;
    const take = await this.deps.inventory.take(order.saleId, { lines: order.lines, orderRef: platformOrderRef, customerId: order.customerId });
    if (take.outcome === "taken" || take.outcome === "duplicate") {
      this.logger.warn("checkout hold had lapsed: units taken from available", { saleId: order.saleId, orderId: order.orderId });
      return;
    }
    if (order.storeId !== null && platformOrderRef !== order.orderId) {
      await this.cancelPlatformOrder(order.storeId, platformOrderRef, "hold expired before the order was placed");
    }
    throw new CheckoutFailure("hold_expired", "Your reservation ran out before the order could be placed; you have not been charged.");
  }

  private async cancelPlatformOrder(storeId: string, platformOrderRef: string, reason: string): Promise<void> {
    try {
      await (await this.deps.platforms.forStore(storeId)).cancelOrder(platformOrderRef, reason);
    } catch (error) {
      // The merchant sees an order without stock; logged loudly rather than retried forever.
      this.logger.error("cannot cancel the platform order of a failed checkout", { storeId, platformOrderRef, error });
    }
  }

  /**
   * Unwinds: hold back to the shelf, the record says why, then the money goes back. A refund
   * that fails (the gateway is down too) is thrown for the job to retry; the record keeps
   * `refund: pending`, so the next run (a retry, or a replayed dead letter) only refunds.
   */
  private async fail(order: CheckoutOrder, error: CheckoutError): Promise<CheckoutOutcome> {
    await this.deps.inventory.release(order.saleId, order.holdId);
    await this.deps.orders.save(this.row(order, "failed", order.orderId));
    await this.deps.store.markFailed(order.saleId, order.orderId, error);
    this.logger.warn("checkout failed", { saleId: order.saleId, orderId: order.orderId, code: error.code });
    await this.refund({ ...order, error });
    return { status: "failed", error };
  }

  private async refund(order: CheckoutOrder): Promise<void> {
    await this.deps.payments.refund(order.orderId, order.error?.code ?? "checkout_failed");
    await this.deps.store.markRefunded(order.saleId, order.orderId);
  }

  private row(order: CheckoutOrder, status: "processing" | "placed" | "failed", platformOrderRef: string) {
    return {
      orderId: order.orderId,
      saleId: order.saleId,
      platformOrderRef,
      holdId: order.holdId,
      status,
      customerRef: order.customer?.email ?? null,
      lines: order.lines,
    };
  }
}

// Checkout on real Redis, BullMQ, SQLite, the real store directory over a custom-store stand-in,
// and a payment provider (the test provider, or the HTTP provider over a gateway stand-in).
import { randomBytes } from "node:crypto";

import {
  CheckoutProcessor,
  CheckoutQueue,
  CheckoutStore,
  CheckoutWorker,
  unitPricing,
  type CheckoutWorkerOptions,
  type PaymentProvider,
  type Pricing,
} from "../../../app/core/checkout/index.ts";
import { holdEngineInventory, OrderLocks } from "../../../app/core/orders/index.ts";
import { DeadLetterQueue, HoldfastQueues, JITTERED_BACKOFF, QUEUE_NAMES } from "../../../app/core/queues/index.ts";
import { PrismaCheckoutOrderRepository } from "../../../app/db/PrismaCheckoutOrderRepository.ts";
import { HttpPaymentProvider, TestPaymentProvider } from "../../../app/platforms/payments/index.ts";
import { saveStore, SqlPlatformDirectory } from "../../../app/stores/directory.server.ts";
import { startCustomStore, type CustomStoreStandIn } from "../../support/customStore/index.ts";
import { PaymentStandIn } from "../../support/payments/index.ts";
import { OrdersHarness, quietLogger } from "../orders/harness.ts";

/** Short retries for tests: 4 attempts, 20-40 ms apart at first. */
export const TEST_CHECKOUT_JOB_OPTIONS = {
  attempts: 4,
  backoff: { type: JITTERED_BACKOFF, delay: 40 },
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 3600 },
};

export const UNIT_PRICE = 2_500;
export const SECRET = "checkout-test-secret-0123456789";

export interface CheckoutSale {
  saleId: string;
  storeId: string | null;
}

export class CheckoutHarness {
  readonly queues: HoldfastQueues;
  readonly deadLetters: DeadLetterQueue;
  readonly store: CheckoutStore;
  readonly queue: CheckoutQueue;
  readonly repository: PrismaCheckoutOrderRepository;
  readonly directory: SqlPlatformDirectory;
  readonly payments: PaymentProvider;
  private readonly workers: CheckoutWorker[] = [];

  private constructor(
    readonly orders: OrdersHarness,
    readonly shop: CustomStoreStandIn,
    readonly gateway: PaymentStandIn | null,
    readonly masterKey: Buffer,
  ) {
    this.queues = new HoldfastQueues(orders.redis, { namespace: orders.namespace, jobOptions: { [QUEUE_NAMES.checkout]: TEST_CHECKOUT_JOB_OPTIONS } });
    this.deadLetters = new DeadLetterQueue(this.queues);
    this.store = new CheckoutStore(orders.redis);
    this.queue = new CheckoutQueue(this.queues);
    this.repository = new PrismaCheckoutOrderRepository(orders.db);
    this.directory = new SqlPlatformDirectory({
      db: orders.db,
      masterKey,
      redis: orders.redis,
      policy: { timeoutMs: 2_000, retries: 0, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 400 } },
    });
    this.payments = gateway
      ? new HttpPaymentProvider({
          endpoint: gateway.endpoint,
          secret: gateway.secret,
          policy: { retries: 0, timeoutMs: 2_000, breaker: { consecutiveFailures: 5, halfOpenAfterMs: 300 } },
        })
      : new TestPaymentProvider(orders.redis);
  }

  static async create(label: string, options: { gateway?: boolean } = {}): Promise<CheckoutHarness> {
    const orders = await OrdersHarness.create(label);
    const shop = await startCustomStore({ secret: SECRET, stock: { "ref-sku": 100, "ref-cap": 100 } });
    const gateway = options.gateway ? await new PaymentStandIn(SECRET).start() : null;
    return new CheckoutHarness(orders, shop, gateway, randomBytes(32));
  }

  get redis() {
    return this.orders.redis;
  }

  get db() {
    return this.orders.db;
  }

  get holds() {
    return this.orders.holds;
  }

  get checkoutQueue() {
    return this.queues.queue(QUEUE_NAMES.checkout);
  }

  /** A sale on the custom-store stand-in (`standalone: true`: no platform store). */
  async createSale(label: string, options: { standalone?: boolean; allocation?: number } = {}): Promise<CheckoutSale> {
    let storeId: string | null = null;
    if (!options.standalone) {
      storeId = await saveStore(this.db, this.masterKey, {
        platform: "custom",
        domain: `${label}-${randomBytes(4).toString("hex")}.example.com`,
        name: label,
        credentials: { endpoint: this.shop.endpoint, secret: SECRET },
      });
    }
    const sale = await this.orders.createSale(label, { policy: "flag", items: [{ itemId: "sku", allocation: options.allocation ?? 10 }] });
    await this.db.sale.update({ where: { id: sale.saleId }, data: { storeId } });
    return { saleId: sale.saleId, storeId };
  }

  /** Reserves, opens the checkout and queues it, as POST /v1/checkout does. */
  async checkout(sale: CheckoutSale, payment: Record<string, unknown> = { method: "test" }, quantity = 1): Promise<{ holdId: string; orderId: string }> {
    const holdId = await this.orders.reserve(sale.saleId, [{ itemId: "sku", quantity }]);
    const opened = await this.store.open({ saleId: sale.saleId, holdId, storeId: sale.storeId, payment, customer: { email: "shopper@example.com" } });
    if (opened.outcome !== "opened") throw new Error(`checkout did not open: ${opened.outcome}`);
    await this.queue.enqueue({ saleId: sale.saleId, orderId: opened.orderId });
    return { holdId, orderId: opened.orderId };
  }

  /** The checkout processor; `pricing` defaults to UNIT_PRICE EUR per unit, whatever the sale. */
  processor(options: { pricing?: Pricing } = {}): CheckoutProcessor {
    return new CheckoutProcessor({
      store: this.store,
      payments: this.payments,
      platforms: this.directory,
      inventory: holdEngineInventory(this.holds, this.redis),
      orders: this.repository,
      locks: new OrderLocks(this.redis, { ttlMs: 5_000, waitMs: 3_000 }),
      catalog: async () => ({ sku: "ref-sku" }),
      pricing: options.pricing ?? unitPricing(UNIT_PRICE, "EUR"),
      logger: quietLogger,
    });
  }

  startWorker(overrides: Partial<Omit<CheckoutWorkerOptions, "queues" | "deadLetters">> = {}): CheckoutWorker {
    const worker = new CheckoutWorker({ queues: this.queues, deadLetters: this.deadLetters, processor: this.processor(), logger: quietLogger, ...overrides });
    worker.start();
    this.workers.push(worker);
    return worker;
  }

  async waitForJob(orderId: string, states: string[] = ["completed"], timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let state = "";
    while (Date.now() < deadline) {
      state = await this.checkoutQueue.getJobState(orderId);
      if (states.includes(state)) return state;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`checkout job ${orderId} is ${state}, not ${states.join("|")}, after ${timeoutMs} ms`);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close(true)));
    await this.queues.close();
    await this.shop.close();
    await this.gateway?.close();
    await this.orders.close();
  }
}

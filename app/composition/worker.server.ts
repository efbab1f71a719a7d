/**
 * The background half of Holdfast: the waiting room's admission controller (one leader across
 * all workers), the order-events worker (BullMQ), the ledger persister, the stock write-back
 * (coalesced flushes per sale), the platform-calls worker and scheduled reconciliation.
 * `npm start` runs it in the web process; production runs it on its own (app/worker.ts).
 */

import type { AppParts } from "./web.server.ts";
import {
  CheckoutProcessor,
  CheckoutQueue,
  CheckoutStore,
  CheckoutSweeper,
  CheckoutWorker,
  saleCatalog,
  salePricing,
  unitPricingFromEnv,
  type PaymentProvider,
} from "../core/checkout/index.ts";
import { LedgerPersister } from "../core/ledger/index.ts";
import type { Logger } from "../core/logger.ts";
import { holdEngineInventory, OrderIntake, OrderLocks, OrderProcessor, OrderWorker, PlatformCallQueue } from "../core/orders/index.ts";
import { PlatformEventProcessor } from "../core/orders/PlatformEventProcessor.ts";
import { PlatformEventQueue } from "../core/orders/PlatformEventQueue.ts";
import { PlatformEventWorker } from "../core/orders/PlatformEventWorker.ts";
import { DeadLetterQueue, HoldfastQueues, queueNamespaceFromEnv, replicaAcksFromEnv } from "../core/queues/index.ts";
import { PlatformCallWorker } from "../core/orders/PlatformCallWorker.ts";
import { ExternalStockIntake, ReconciliationWorker, WriteBackWorker } from "../core/sync/index.ts";
import { AdmissionController } from "../core/waiting-room/index.ts";
import { SaleLifecycle, SaleLifecycleWorker } from "../core/waiting-room/lifecycle.ts";
import { PrismaCheckoutOrderRepository } from "../db/PrismaCheckoutOrderRepository.ts";
import { PrismaLedgerStore } from "../db/PrismaLedgerStore.ts";
import { BatchedOrderRepository } from "../db/BatchedOrderRepository.ts";
import { PrismaSaleRepository } from "../db/PrismaSaleRepository.ts";
import { paymentProviderFromEnv } from "../platforms/payments/index.ts";
import { SqlPlatformDirectory } from "../stores/directory.server.ts";
import { shopifyAppKeysFromEnv } from "../stores/shopifyTokens.server.ts";
import { SqlKeyringSource } from "../stores/keyrings.server.ts";
import type { SaleRecoveryResult } from "../core/recovery/index.ts";
import { buildRecovery } from "./recovery.server.ts";
import { buildSync, type SyncParts } from "./sync.server.ts";
import { publishAfterTransition } from "../drops/gate/scheduledPublish.server.ts";
import { offlineAdmin } from "../shopify.server.ts";
import { SqlPlatformOrders } from "../webhooks/platformOrders.server.ts";

/** What the worker needs of the app: the web process's parts, or the standalone wiring below. */
export type WorkerParts = Pick<AppParts, "redis" | "db" | "holds" | "room" | "sales" | "masterKey">;

export interface WorkerOptions {
  /** Reads HOLDFAST_QUEUE_NAMESPACE and HOLDFAST_ORDER_CONCURRENCY; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The producers to share with the rest of the process (webhook routes); by default the worker makes its own. */
  queues?: HoldfastQueues;
  /** BullMQ namespace (see core/orders/queues.ts) when the worker makes its queues; default from env, then `hf`. */
  queueNamespace?: string;
  orderConcurrency?: number;
  ledgerIntervalMs?: number;
  /** Write-back flush interval (ms); default HOLDFAST_WRITE_BACK_INTERVAL_MS, then 1 s. */
  flushIntervalMs?: number;
  /** Scheduled reconciliation interval (ms); default HOLDFAST_RECONCILE_INTERVAL_MS, then 5 minutes. */
  reconcileIntervalMs?: number;
  /** The store directory; by default one over the app's database and master key (tests pass their own). */
  platforms?: SqlPlatformDirectory;
  /** The checkout's payment provider; default from HOLDFAST_PAYMENT_* (platforms/payments/fromEnv.ts). */
  payments?: PaymentProvider;
}

/** What a process that takes requests needs to hand work to the workers, wherever those run. */
export interface WorkProducers {
  /** The producers, for whoever else in the process enqueues (webhook routes, checkout). */
  queues: HoldfastQueues;
  intake: OrderIntake;
  /** Where webhook routes enqueue verified deliveries, raw; this worker maps them to order events. */
  platformEvents: PlatformEventQueue;
  deadLetters: DeadLetterQueue;
  /** Platform adapters per store (checkout and webhook routes share it, and its breakers). */
  platforms: SqlPlatformDirectory;
  /** Where platform stock levels go (the platform-events worker reads them from webhooks): echo check, then restock or overwrite. */
  stockIntake: ExternalStockIntake;
}

export interface RunningWorker extends WorkProducers {
  /** Resolves once the write-back and reconciliation schedulers are installed. */
  ready: Promise<void>;
  /** The start-up recovery of sales whose Redis state is missing (core/recovery); one result per sale checked, [] if it failed. */
  recovered: Promise<SaleRecoveryResult[]>;
  /** Lets the jobs in flight finish, then stops every loop. The connections stay the caller's. */
  stop: () => Promise<void>;
}

/** The producers and the sync parts, made once whether or not this process also consumes. */
function producerParts(parts: WorkerParts, logger: Logger, options: WorkerOptions): WorkProducers & { sync: SyncParts; ownQueues: boolean } {
  const env = options.env ?? process.env;
  const queues =
    options.queues ??
    new HoldfastQueues(parts.redis, { namespace: options.queueNamespace ?? queueNamespaceFromEnv(env), replicaAcks: replicaAcksFromEnv(env) });
  const deadLetters = new DeadLetterQueue(queues);
  // Its token keeper refreshes Shopify offline tokens with the app's key and secret.
  const platforms =
    options.platforms ??
    new SqlPlatformDirectory({ db: parts.db, redis: parts.redis, masterKey: parts.masterKey.key, logger, shopifyApp: shopifyAppKeysFromEnv(env) });
  const sync = buildSync(parts, platforms, logger);
  const { catalog, echo, writeBack } = sync;
  return {
    queues,
    intake: new OrderIntake(queues, deadLetters),
    platformEvents: new PlatformEventQueue(queues),
    deadLetters,
    platforms,
    stockIntake: new ExternalStockIntake({ redis: parts.redis, holds: parts.holds, catalog, echo, writeBack, logger }),
    sync,
    ownQueues: options.queues === undefined,
  };
}

/**
 * A web-only process (HOLDFAST_ROLE=web): the producers its routes enqueue on, and no queue
 * consumer, admission controller or scheduler (worker processes run those).
 */
export function buildProducers(parts: WorkerParts, logger: Logger, options: WorkerOptions = {}): WorkProducers & { close(): Promise<void> } {
  const { sync: _sync, ownQueues, ...producers } = producerParts(parts, logger, options);
  return {
    ...producers,
    async close() {
      if (ownQueues) await producers.queues.close();
    },
  };
}

export function startWorker(parts: WorkerParts, logger: Logger, options: WorkerOptions = {}): RunningWorker {
  const env = options.env ?? process.env;
  // The storefront's drop list and the checkout gate follow scheduled starts and ends too.
  const republish = (saleId: string) =>
    publishAfterTransition(
      { sales: parts.sales, db: parts.db, masterKey: parts.masterKey.key, appKey: env.SHOPIFY_API_KEY ?? "", logger, tokens: platforms.tokens },
      saleId,
    ).then(() => undefined);
  // The durable sale record follows the room's scheduled changes.
  const controller = new AdmissionController(parts.redis, parts.room, {
    logger,
    onScheduledTransition: (saleId, state) => parts.sales.onScheduledTransition(saleId, state).then(() => republish(saleId)),
    expireHolds: (saleId) => parts.holds.expire(saleId, 1_000),
  });

  const producers = producerParts(parts, logger, options);
  const { queues, deadLetters, platforms, ownQueues } = producers;
  const checkoutStore = new CheckoutStore(parts.redis);
  const intake = producers.intake;
  // Verified webhook deliveries -> order events, stock reports and learned variants, through the one PlatformOrders port (SQL, Redis, Shopify's Admin API).
  const platformEvents = new PlatformEventWorker({
    queues,
    deadLetters,
    logger,
    processor: new PlatformEventProcessor({
      orders: new SqlPlatformOrders({ db: parts.db, redis: parts.redis, shopifyAdmin: offlineAdmin }),
      intake,
      stock: producers.stockIntake,
      logger,
    }),
  });
  const orders = new OrderWorker({
    queues,
    deadLetters,
    logger,
    concurrency: options.orderConcurrency ?? positiveInteger(env.HOLDFAST_ORDER_CONCURRENCY) ?? 200,
    processor: new OrderProcessor({
      inventory: holdEngineInventory(parts.holds, parts.redis),
      // Concurrent jobs share their SQL lookups and writes (one statement per flush).
      orders: new BatchedOrderRepository(parts.db),
      platformCalls: new PlatformCallQueue(queues),
      locks: new OrderLocks(parts.redis),
      checkouts: checkoutStore,
      // Hold tokens on order lines are verified with the sale's store keys before a hold counts.
      keyrings: new SqlKeyringSource(parts.db, parts.masterKey.key),
      logger,
    }),
  });
  const ledgerStore = new PrismaLedgerStore(parts.db);
  const ledger = new LedgerPersister(parts.redis, ledgerStore, ledgerStore, { logger, intervalMs: options.ledgerIntervalMs ?? 1_000 });

  // No payment provider (production without HOLDFAST_PAYMENT_*): no headless checkout.
  const payments = options.payments ?? paymentProviderFromEnv(env, parts.redis);
  const saleRecords = new PrismaSaleRepository(parts.db);
  const checkouts =
    payments &&
    new CheckoutWorker({
      queues,
      deadLetters,
      logger,
      processor: new CheckoutProcessor({
        store: checkoutStore,
        payments,
        platforms,
        inventory: holdEngineInventory(parts.holds, parts.redis),
        orders: new PrismaCheckoutOrderRepository(parts.db),
        locks: new OrderLocks(parts.redis),
        catalog: saleCatalog(saleRecords),
        pricing: salePricing(saleRecords, unitPricingFromEnv(env)),
        logger,
      }),
    });
  const { catalog, journal, writeBack, reconciler } = producers.sync;
  const writeBackWorker = new WriteBackWorker({
    queues,
    writeBack,
    catalog,
    logger,
    flushIntervalMs: options.flushIntervalMs ?? positiveInteger(env.HOLDFAST_WRITE_BACK_INTERVAL_MS),
  });
  const platformCalls = new PlatformCallWorker({ queues, platforms, breakers: platforms, deadLetters, logger });
  const reconciliation = new ReconciliationWorker({
    queues,
    reconciler,
    catalog,
    journal,
    logger,
    intervalMs: options.reconcileIntervalMs ?? positiveInteger(env.HOLDFAST_RECONCILE_INTERVAL_MS),
  });

  // Checkouts opened but never enqueued (a crash between the two steps) are enqueued again within seconds.
  const checkoutSweeper =
    payments && new CheckoutSweeper({ store: checkoutStore, queue: new CheckoutQueue(queues), sales: () => parts.room.activeRooms(), logger });

  // Sales SQL says are running but Redis has lost (restarted empty, replaced) are rebuilt once, now.
  const recovered = buildRecovery({ ...parts, queues }, payments, logger)
    .recoverAll()
    .then((results) => {
      const rebuilt = results.filter((result) => result.outcome === "recovered");
      if (rebuilt.length > 0) logger.warn("recovered sales whose Redis state was missing", { sales: rebuilt.map((result) => result.saleId) });
      for (const result of results.filter((each) => each.problems.length > 0))
        logger.error("sale recovery left problems", { saleId: result.saleId, problems: result.problems });
      return results;
    })
    .catch((error: unknown) => {
      logger.error("cannot recover sales whose Redis state is missing", { error: error instanceof Error ? error.message : String(error) });
      return [];
    });

  controller.start();
  orders.start();
  platformEvents.start();
  checkouts?.start();
  checkoutSweeper?.start();
  // Scheduled transitions and the expiry sweep on the sale-lifecycle queue (the controller's loop is the safety net).
  const lifecycle = new SaleLifecycleWorker({
    queues,
    room: parts.room,
    expireHolds: (saleId) => parts.holds.expire(saleId, 1_000),
    onScheduledTransition: (saleId, state) => parts.sales.onScheduledTransition(saleId, state).then(() => republish(saleId)),
    logger,
  });
  lifecycle.start();
  new SaleLifecycle(queues)
    .installSweep(positiveInteger(env.HOLDFAST_EXPIRY_SWEEP_MS) ?? 5_000)
    .catch((error: unknown) => logger.error("cannot install the expiry sweep", { error: error instanceof Error ? error.message : String(error) }));
  ledger.start();
  platformCalls.start();
  const ready = Promise.all([writeBackWorker.start(), reconciliation.start()]).then(() => undefined);
  ready.catch((error: unknown) =>
    logger.error("cannot install the write-back or reconciliation schedulers", { error: error instanceof Error ? error.message : String(error) }),
  );
  return {
    queues,
    intake: producers.intake,
    platformEvents: producers.platformEvents,
    deadLetters,
    platforms,
    stockIntake: producers.stockIntake,
    ready,
    recovered,
    async stop() {
      await ready.catch(() => undefined);
      await recovered;
      await checkoutSweeper?.stop();
      await Promise.all([
        platformEvents.close(),
        orders.close(),
        checkouts?.close(),
        lifecycle.close(),
        writeBackWorker.close(),
        platformCalls.close(),
        reconciliation.close(),
      ]);
      await Promise.all([ledger.stop(), controller.stop()]);
      if (ownQueues) await queues.close();
    },
  };
}

function positiveInteger(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`expected a positive whole number, got "${raw}"`);
  return value;
}

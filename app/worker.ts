/**
 * The background half of Holdfast: the waiting room's admission controller (one leader across
 * all workers), the order-events worker (BullMQ), and the ledger persister. `npm start` runs
 * it in the web process; production runs it on its own: `tsx app/worker.ts`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { AppParts } from "./app.server.ts";
import { systemClock } from "./core/clock.ts";
import { HoldEngine } from "./core/inventory/index.ts";
import { LedgerPersister } from "./core/ledger/index.ts";
import { jsonLogger, type Logger } from "./core/logger.ts";
import {
  DeadLetterQueue,
  holdEngineInventory,
  HoldfastQueues,
  OrderIntake,
  OrderLocks,
  OrderProcessor,
  OrderWorker,
  PlatformCallQueue,
  queueNamespaceFromEnv,
} from "./core/orders/index.ts";
import { createRedis, describeRedis, redisConfigFromEnv } from "./core/redis.ts";
import { SaleService } from "./core/sales/index.ts";
import { AdmissionController, WaitingRoom } from "./core/waiting-room/index.ts";
import { PrismaLedgerStore } from "./db/PrismaLedgerStore.ts";
import { PrismaOrderRepository } from "./db/PrismaOrderRepository.ts";
import { PrismaSaleRepository } from "./db/PrismaSaleRepository.ts";
import { createDb, redactUrl, resolveDatabaseUrl } from "./db.server.ts";

/** What the worker needs of the app: the web process's parts, or the standalone wiring below. */
export type WorkerParts = Pick<AppParts, "redis" | "db" | "holds" | "room" | "sales">;

export interface WorkerOptions {
  /** Reads HOLDFAST_QUEUE_NAMESPACE and HOLDFAST_ORDER_CONCURRENCY; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The producers to share with the rest of the process (webhook routes); by default the worker makes its own. */
  queues?: HoldfastQueues;
  /** BullMQ namespace (see core/orders/queues.ts) when the worker makes its queues; default from env, then `hf`. */
  queueNamespace?: string;
  orderConcurrency?: number;
  ledgerIntervalMs?: number;
}

export interface RunningWorker {
  /** The producers, for whoever else in the process enqueues (webhook routes, checkout). */
  queues: HoldfastQueues;
  intake: OrderIntake;
  deadLetters: DeadLetterQueue;
  /** Lets the jobs in flight finish, then stops every loop. The connections stay the caller's. */
  stop: () => Promise<void>;
}

export function startWorker(parts: WorkerParts, logger: Logger, options: WorkerOptions = {}): RunningWorker {
  const env = options.env ?? process.env;
  // The durable sale record follows the room's scheduled changes.
  const controller = new AdmissionController(parts.redis, parts.room, {
    logger,
    onScheduledTransition: (saleId, state) => parts.sales.onScheduledTransition(saleId, state),
    expireHolds: (saleId) => parts.holds.expire(saleId, 1_000),
  });

  const ownQueues = options.queues === undefined;
  const queues = options.queues ?? new HoldfastQueues(parts.redis, { namespace: options.queueNamespace ?? queueNamespaceFromEnv(env) });
  const deadLetters = new DeadLetterQueue(queues);
  const orders = new OrderWorker({
    queues,
    deadLetters,
    logger,
    concurrency: options.orderConcurrency ?? positiveInteger(env.HOLDFAST_ORDER_CONCURRENCY) ?? 50,
    processor: new OrderProcessor({
      inventory: holdEngineInventory(parts.holds, parts.redis),
      orders: new PrismaOrderRepository(parts.db),
      platformCalls: new PlatformCallQueue(queues),
      locks: new OrderLocks(parts.redis),
      logger,
    }),
  });
  const ledgerStore = new PrismaLedgerStore(parts.db);
  const ledger = new LedgerPersister(parts.redis, ledgerStore, ledgerStore, { logger, intervalMs: options.ledgerIntervalMs ?? 1_000 });

  controller.start();
  orders.start();
  ledger.start();
  return {
    queues,
    intake: new OrderIntake(queues, deadLetters),
    deadLetters,
    async stop() {
      await orders.close();
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

/**
 * `tsx app/worker.ts`: the worker as a process of its own, wired like buildApp() minus HTTP
 * (no storefront, no master key: the worker signs nothing). Migrates the database first, as
 * `npm start` does; SIGINT/SIGTERM stop it gracefully.
 */
async function runStandalone(): Promise<void> {
  await import("dotenv/config");
  const { migrateDatabase } = await import("../scripts/db-migrate.ts");
  const logger = jsonLogger();
  const redisConfig = redisConfigFromEnv();
  const databaseUrl = resolveDatabaseUrl();
  await migrateDatabase(databaseUrl, (line) => logger.info(`database: ${line}`));
  const redis = createRedis(redisConfig);
  redis.on("error", (error: Error) => logger.error("redis connection error", { error: error.message }));
  const db = createDb(databaseUrl);
  const clock = systemClock;
  const holds = new HoldEngine(redis, { clock });
  const room = new WaitingRoom(redis, { clock });
  const sales = new SaleService({ repository: new PrismaSaleRepository(db), holds, room, clock });
  const worker = startWorker({ redis, db, holds, room, sales }, logger);
  logger.info("worker started", { redis: describeRedis(redisConfig), database: redactUrl(databaseUrl), queues: worker.queues.namespace });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("worker stopping", { signal });
    await worker.stop();
    await redis.quit().catch(() => undefined);
    await db.$disconnect();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runStandalone().catch((error: unknown) => {
    process.stderr.write(`[holdfast] worker cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

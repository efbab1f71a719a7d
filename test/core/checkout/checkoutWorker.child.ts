/**
 * One checkout-worker process for the kill -9 test: the real CheckoutWorker over the real SQL
 * store directory, the HTTP payment provider and SQLite, configured by the parent through the
 * environment. Prints "ready" once it is consuming.
 */
import { CheckoutProcessor, CheckoutStore, CheckoutWorker, unitPricing } from "../../../app/core/checkout/index.ts";
import { HoldEngine } from "../../../app/core/inventory/index.ts";
import { silentLogger } from "../../../app/core/logger.ts";
import { holdEngineInventory, OrderLocks } from "../../../app/core/orders/index.ts";
import { DeadLetterQueue, HoldfastQueues, QUEUE_NAMES } from "../../../app/core/queues/index.ts";
import { createRedis } from "../../../app/core/redis.ts";
import { PrismaCheckoutOrderRepository } from "../../../app/db/PrismaCheckoutOrderRepository.ts";
import { createDb } from "../../../app/db/client.server.ts";
import { HttpPaymentProvider } from "../../../app/platforms/payments/index.ts";
import { SqlPlatformDirectory } from "../../../app/stores/directory.server.ts";

const env = process.env;
const lockMs = Number(env.LOCK_MS ?? 1_000);
const redis = createRedis();
await redis.ping();
const db = createDb(env.DATABASE_URL);
const queues = new HoldfastQueues(redis, {
  namespace: env.HF_TEST_NAMESPACE ?? "",
  jobOptions: { [QUEUE_NAMES.checkout]: JSON.parse(env.JOB_OPTIONS ?? "{}") },
});
// Longer than any wait of the test's: the platform orders it leaves hanging stay in flight until the kill.
const PLATFORM_TIMEOUT_MS = 120_000;
const worker = new CheckoutWorker({
  queues,
  deadLetters: new DeadLetterQueue(queues),
  processor: new CheckoutProcessor({
    store: new CheckoutStore(redis),
    payments: new HttpPaymentProvider({ endpoint: env.GATEWAY ?? "", secret: env.SECRET ?? "", policy: { retries: 0 } }),
    platforms: new SqlPlatformDirectory({
      db,
      redis,
      masterKey: Buffer.from(env.MASTER_KEY ?? "", "base64"),
      policy: { retries: 0, timeoutMs: PLATFORM_TIMEOUT_MS },
    }),
    inventory: holdEngineInventory(new HoldEngine(redis), redis),
    orders: new PrismaCheckoutOrderRepository(db),
    locks: new OrderLocks(redis, { ttlMs: lockMs }),
    catalog: async () => ({ sku: "ref-sku" }),
    pricing: unitPricing(Number(env.UNIT_PRICE), "EUR"),
    logger: silentLogger,
  }),
  concurrency: Number(env.CONCURRENCY ?? 10),
  lockDurationMs: lockMs,
  stalledIntervalMs: lockMs,
  logger: silentLogger,
});
worker.start();
await worker.worker.waitUntilReady();
process.stdout.write("ready\n");

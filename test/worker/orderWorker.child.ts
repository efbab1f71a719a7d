/**
 * One order-worker process for the kill -9 test: the real OrderWorker over the real
 * BatchedOrderRepository (the one the app's worker uses), except that every SQL write waits SAVE_DELAY_MS first, so that at
 * any moment many jobs sit between their Redis effect and their SQL record, the window a
 * crash must not break. The orders named in STUCK_REFS never get their SQL record: each prints
 * "stuck <ref>" once its Redis effect is made, so the test can pull the plug while the window is
 * certainly open rather than hoping the timing leaves it open. Prints "ready" once it is consuming.
 */
import { HoldEngine } from "../../app/core/inventory/index.ts";
import { silentLogger } from "../../app/core/logger.ts";
import { holdEngineInventory, OrderLocks, OrderProcessor, OrderWorker, PlatformCallQueue, type OrderRepository } from "../../app/core/orders/index.ts";
import { DeadLetterQueue, HoldfastQueues, QUEUE_NAMES } from "../../app/core/queues/index.ts";
import { createRedis } from "../../app/core/redis.ts";
import { BatchedOrderRepository } from "../../app/db/BatchedOrderRepository.ts";
import { createDb } from "../../app/db/client.server.ts";
import { TEST_ORDER_JOB_OPTIONS } from "../core/orders/jobOptions.ts";
import { testKeyrings } from "../support/holdTokens.ts";

const namespace = process.env.HF_TEST_NAMESPACE ?? "";
const saveDelayMs = Number(process.env.SAVE_DELAY_MS ?? 0);
const lockMs = Number(process.env.LOCK_MS ?? 1_000);
const stuckRefs = new Set((process.env.STUCK_REFS ?? "").split(",").filter(Boolean));

const redis = createRedis();
await redis.ping();
const db = createDb(process.env.DATABASE_URL);
const queues = new HoldfastQueues(redis, { namespace, jobOptions: { [QUEUE_NAMES.orderEvents]: TEST_ORDER_JOB_OPTIONS } });
const repository = new BatchedOrderRepository(db);
const slow: OrderRepository = {
  findSale: (saleId) => repository.findSale(saleId),
  find: (saleId, ref) => repository.find(saleId, ref),
  save: async (order) => {
    if (stuckRefs.has(order.platformOrderRef)) {
      process.stdout.write(`stuck ${order.platformOrderRef}\n`);
      await new Promise<never>(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, saleDelay()));
    await repository.save(order);
  },
};
function saleDelay(): number {
  return saveDelayMs / 2 + Math.random() * saveDelayMs;
}
const worker = new OrderWorker({
  queues,
  deadLetters: new DeadLetterQueue(queues),
  processor: new OrderProcessor({
    inventory: holdEngineInventory(new HoldEngine(redis), redis),
    orders: slow,
    platformCalls: new PlatformCallQueue(queues),
    locks: new OrderLocks(redis, { ttlMs: lockMs }),
    keyrings: testKeyrings,
    logger: silentLogger,
  }),
  concurrency: Number(process.env.CONCURRENCY ?? 20),
  lockDurationMs: lockMs,
  stalledIntervalMs: lockMs,
});
worker.start();
await worker.worker.waitUntilReady();
process.stdout.write("ready\n");

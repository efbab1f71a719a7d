/**
 * One write-back worker process for the kill -9 test: the real WriteBackWorker over the real
 * store directory, catalog and HoldEngine, on the parent's database, Redis and queue
 * namespace. Prints "ready" once it is consuming.
 */
import { HoldEngine } from "../../app/core/inventory/index.ts";
import { silentLogger } from "../../app/core/logger.ts";
import { HoldfastQueues } from "../../app/core/queues/index.ts";
import { createRedis } from "../../app/core/redis.ts";
import { StockWriteBack, WriteBackWorker } from "../../app/core/sync/index.ts";
import { PrismaSyncCatalog } from "../../app/db/PrismaSyncCatalog.ts";
import { createDb } from "../../app/db/client.server.ts";
import { SqlPlatformDirectory } from "../../app/stores/directory.server.ts";

const lockMs = Number(process.env.LOCK_MS ?? 1_000);
const redis = createRedis();
await redis.ping();
const db = createDb(process.env.DATABASE_URL);
const catalog = new PrismaSyncCatalog(db);
const platforms = new SqlPlatformDirectory({
  db,
  redis,
  masterKey: Buffer.from(process.env.MASTER_KEY ?? "", "base64"),
  budgetPrefix: process.env.BUDGET_PREFIX,
  policy: { retries: 0, timeoutMs: 30_000 },
});
const worker = new WriteBackWorker({
  queues: new HoldfastQueues(redis, { namespace: process.env.HF_TEST_NAMESPACE ?? "" }),
  writeBack: new StockWriteBack({ redis, holds: new HoldEngine(redis), catalog, platforms, breakers: platforms, logger: silentLogger, lockTtlMs: lockMs }),
  catalog,
  flushIntervalMs: Number(process.env.INTERVAL_MS ?? 200),
  lockDurationMs: lockMs,
  stalledIntervalMs: lockMs,
});
await worker.start();
await worker.worker.waitUntilReady();
process.stdout.write("ready\n");

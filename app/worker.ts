/**
 * `tsx app/worker.ts`: the worker as a process of its own (the queues, the admission
 * controller, write-back, reconciliation; no storefront HTTP), built from the same core
 * parts as the web process. Migrates the database first, as `npm start` does;
 * SIGINT/SIGTERM stop it gracefully.
 */
import "dotenv/config";

import { buildCore } from "./composition/core.server.ts";
import { startWorker } from "./composition/worker.server.ts";
import { loggerFromEnv } from "./core/logger.ts";
import { describeRedis, redisConfigFromEnv } from "./core/redis.ts";
import { redactUrl, resolveDatabaseUrl } from "./db/client.server.ts";
import { migrateDatabase } from "./db/migrate.server.ts";

async function main(): Promise<void> {
  const logger = loggerFromEnv();
  const redisConfig = redisConfigFromEnv();
  const databaseUrl = resolveDatabaseUrl();
  await migrateDatabase(databaseUrl, (line) => logger.info(`database: ${line}`));
  const core = buildCore({ redis: redisConfig, databaseUrl, logger });
  const worker = startWorker(core, logger, { queues: core.queues });
  logger.info("worker started", { redis: describeRedis(redisConfig), database: redactUrl(databaseUrl), queues: worker.queues.namespace });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("worker stopping", { signal });
    await worker.stop();
    await core.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(`[holdfast] worker cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

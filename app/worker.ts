/**
 * `tsx app/worker.ts`: the worker as a process of its own, the same as `HOLDFAST_ROLE=worker
 * npm start` (the queues, the admission controller, write-back, reconciliation; HTTP for
 * /healthz and /readyz only, on PORT). Migrates the database first, as `npm start` does;
 * SIGINT/SIGTERM stop it gracefully.
 */
import "dotenv/config";

import { stopOnSignals } from "./composition/shutdown.ts";
import { startWorkerProcess } from "./composition/workerProcess.server.ts";
import { loggerFromEnv } from "./core/logger.ts";
import { redisConfigFromEnv } from "./core/redis.ts";
import { resolveDatabaseUrl } from "./db/client.server.ts";
import { migrateDatabase } from "./db/migrate.server.ts";

async function main(): Promise<void> {
  const logger = loggerFromEnv();
  const databaseUrl = resolveDatabaseUrl();
  await migrateDatabase(databaseUrl, (line) => logger.info(`database: ${line}`));
  const process_ = await startWorkerProcess({
    redis: redisConfigFromEnv(),
    databaseUrl,
    logger,
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? "127.0.0.1",
  });
  stopOnSignals(
    () => process_.stop(),
    (line) => logger.info(`worker: ${line}`),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`[holdfast] worker cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

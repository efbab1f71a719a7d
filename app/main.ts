/**
 * `npm start`: the whole service on embedded defaults, with no configuration. It finds or
 * starts Redis, brings the database up to date, serves HTTP, and says where to look.
 */
import "dotenv/config";

import type { AddressInfo } from "node:net";

import { migrateDatabase } from "../scripts/db-migrate.ts";
import { createRedis, describeRedis, redisConfigFromEnv } from "./core/redis.ts";
import { closeDb, getDb, redactUrl, resolveDatabaseUrl } from "./db.server.ts";
import { provisionRedis, RedisUnavailableError } from "./localRedis.server.ts";
import { createHttpServer } from "./server.ts";
import { jsonLogger } from "./core/logger.ts";

const say = (line: string) => process.stdout.write(`[holdfast] ${line}\n`);

async function main(): Promise<void> {
  const provision = await provisionRedis(redisConfigFromEnv());
  say(provision.stop ? `started a private redis-server at ${describeRedis(provision.config)} (nothing answered at REDIS_URL)` : `using Redis at ${describeRedis(provision.config)}`);

  const databaseUrl = resolveDatabaseUrl();
  await migrateDatabase(databaseUrl, (line) => say(`database: ${line}`));
  const db = getDb();
  const redis = createRedis(provision.config);
  redis.on("error", (error: Error) => say(`redis error: ${error.message}`));

  const server = createHttpServer({
    logger: jsonLogger(),
    readiness: [
      { name: "redis", check: async () => void (await redis.ping()) },
      { name: "sql", check: async () => void (await db.$queryRaw`SELECT 1`) },
    ],
  });
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const base = `http://${host}:${(server.address() as AddressInfo).port}`;
  say(`database: ${redactUrl(databaseUrl)}`);
  say(`listening on ${base}`);
  say(`  health:    ${base}/healthz`);
  say(`  readiness: ${base}/readyz`);
  say("press Ctrl+C to stop");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: shutting down`);
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await redis.quit().catch(() => undefined);
    await closeDb();
    provision.stop?.();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  const message = error instanceof RedisUnavailableError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`[holdfast] cannot start: ${message}\n`);
  process.exit(1);
});

/**
 * The hold rate the storefront grants on this machine, measured in the same run as the intake
 * (machines here differ up to 6x between sessions, so only a same-run ratio means anything):
 * the real app (buildApp in its own process, bench/storefront/server.ts) on the bench's
 * private Redis and a temporary SQLite file, and autocannon (bench/storefront/loadgen.ts, its
 * own process) sending POST /v1/sales/:id/holds, each with a fresh session and requestId, to a
 * sale with no admission pass needed and stock to spare, as bench:storefront's holds row does.
 * Only 2xx answers (holds granted) count.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { HoldEngine, LIMITS } from "../../app/core/inventory/index.ts";
import type { RedisClient } from "../../app/core/redis.ts";
import { WaitingRoom } from "../../app/core/waiting-room/index.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { Cleanup } from "../lib/cleanup.ts";
import { BenchChild } from "../storefront/children.ts";
import { defineBenchSale, runLoadgen, startScriptNodeFlags } from "../storefront/setup.ts";

export interface StorefrontHoldsOptions {
  redis: RedisClient;
  redisUrl: string;
  runId: string;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  log: (message: string) => void;
}

export interface StorefrontHoldsResult {
  /** Holds granted per second (2xx answers) in the timed window. */
  holdsPerSec: number;
  responses: number;
  non2xx: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  connections: number;
  seconds: number;
}

const ITEM = "sku";

export async function measureStorefrontHolds(options: StorefrontHoldsOptions): Promise<StorefrontHoldsResult> {
  const scope = new Cleanup();
  try {
    const dir = await mkdtemp(join(tmpdir(), "holdfast-bench-orders-holds-"));
    scope.add(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
    const databaseUrl = `file:${join(dir, "app.db")}`;
    await migrateDatabase(databaseUrl, () => undefined);
    const saleId = await defineBenchSale(
      { holds: new HoldEngine(options.redis), room: new WaitingRoom(options.redis) },
      `bench-orders-holds-${options.runId}`,
      ITEM,
      {
        mode: "off",
        state: "live",
        allocation: LIMITS.maxAllocation,
      },
    );
    const app = new BenchChild("app server (storefront holds)", {
      script: "bench/storefront/server.ts",
      nodeFlags: startScriptNodeFlags(),
      env: {
        ...process.env,
        NODE_ENV: "production",
        BENCH_REDIS_URL: options.redisUrl,
        BENCH_DATABASE_URL: databaseUrl,
        // A fresh key in the environment: no key file is written anywhere.
        HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      },
    });
    scope.add(`stop ${app.name}`, () => app.stop());
    const ready = await app.waitFor("ready", 60_000);
    options.log(`storefront holds: app on port ${ready.port}; ${options.connections} connections, ${options.warmupSeconds} s warm-up + ${options.seconds} s`);
    const result = await runLoadgen(
      dir,
      {
        base: `http://127.0.0.1:${ready.port}`,
        kind: "holds",
        saleId,
        itemId: ITEM,
        connections: options.connections,
        warmupSeconds: options.warmupSeconds,
        seconds: options.seconds,
        progressSeconds: 0,
      },
      scope,
    );
    const granted = result.responses - result.non2xx;
    if (granted === 0) throw new Error(`no hold granted: ${JSON.stringify(result.non2xxSamples.slice(0, 2))}`);
    return {
      holdsPerSec: granted / result.seconds,
      responses: result.responses,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      p50Ms: result.latency.p50Ms,
      p99Ms: result.latency.p99Ms,
      connections: options.connections,
      seconds: result.seconds,
    };
  } finally {
    for (const failure of await scope.runAll()) options.log(`storefront holds cleanup: ${failure}`);
  }
}

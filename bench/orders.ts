/**
 * Orders benchmark: the asynchronous half of Holdfast.
 *   0. The storefront's hold rate on this machine, in this run: the real app in its own
 *      process, autocannon POST /v1/sales/:id/holds for a few seconds (bench/orders/
 *      storefrontHolds.ts). The intake's goal is to keep up with it, so the report puts the two
 *      side by side; machines differ up to 6x between sessions, so only this same-run ratio
 *      counts.
 *   1. Order-event intake: N order events (half with a hold, half bypassing the room) through
 *      OrderIntake and OrderWorker, all at once (jobs/s; latency is mostly backlog) and then
 *      paced at half that rate (end-to-end latency p50/p99, enqueue -> committed in Redis and
 *      SQL, when the worker keeps up). Per database, and per order repository: "batched" (what
 *      the app runs: concurrent jobs share their SQL statements) and, when asked for, "single"
 *      (one upsert per order, as before batching).
 *   2. Write-back during a spike: 10,000 stock changes over K items in a few seconds, written
 *      by the WriteBackWorker to the Shopify stand-in (and the WooCommerce stand-in); platform
 *      calls per 10,000 changes against the ideal (one call per item batch per flush interval),
 *      throttled answers (goal 0), and the time until the platform's stock equals Holdfast's
 *      after the spike (goal under 2 flush intervals).
 * Runs on a private redis-server; the intake runs once per database in the same run (a
 * temporary SQLite file, and a throwaway database on the local PostgreSQL, BENCH_PG_URL), so
 * the two compare under the same load. The write-back uses SQLite. Prints tables and writes
 * bench/results/orders.json.
 *
 * Env: BENCH_ORDER_EVENTS (5000), BENCH_ORDER_CONCURRENCY (200), BENCH_ORDER_PACED_SECONDS (10),
 *      BENCH_ORDER_RATE (half the burst's jobs/s), BENCH_ORDER_DATABASES (sqlite,postgresql),
 *      BENCH_ORDER_REPOSITORIES (batched; "batched,single" adds the per-order statements for
 *      comparison), BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres),
 *      BENCH_HOLDS (1; 0 skips the storefront hold rate), BENCH_HOLDS_SECONDS (5),
 *      BENCH_HOLDS_WARMUP_SECONDS (2), BENCH_HOLDS_CONNECTIONS (256, as bench:storefront),
 *      BENCH_WB (1; 0 skips the write-back part, for quick intake runs), BENCH_WB_CHANGES (10000),
 *      BENCH_WB_ITEMS (500), BENCH_WB_SPIKE_SECONDS (5), BENCH_WB_INTERVAL_MS (1000),
 *      BENCH_WB_PLATFORMS (shopify,woocommerce).
 */
import { randomBytes } from "node:crypto";

import { createRedis } from "../app/core/redis.ts";
import type { DatabaseKind } from "../app/db/client.server.ts";
import { openBenchDatabase } from "./lib/benchDatabase.ts";
import { Cleanup } from "./lib/cleanup.ts";
import { startPrivateRedis } from "./lib/privateRedis.ts";
import { envChoices, envInteger, hostMetadata, writeResults } from "./lib/results.ts";
import { formatCount, formatMs, formatTable, round } from "./lib/table.ts";
import { measureIntake, type IntakeRepository, type IntakeResult } from "./orders/intake.ts";
import { measureStorefrontHolds, type StorefrontHoldsResult } from "./orders/storefrontHolds.ts";
import { measureSpike, type SpikePlatform, type SpikeResult } from "./orders/writeBack.ts";

const events = envInteger("BENCH_ORDER_EVENTS", 5_000, 10, 1_000_000);
const concurrency = envInteger("BENCH_ORDER_CONCURRENCY", 200, 1, 1_000);
const pacedSeconds = envInteger("BENCH_ORDER_PACED_SECONDS", 10, 1, 600);
const fixedRate = process.env.BENCH_ORDER_RATE ? envInteger("BENCH_ORDER_RATE", 100, 1, 100_000) : null;
const changes = envInteger("BENCH_WB_CHANGES", 10_000, 10, 1_000_000);
const items = envInteger("BENCH_WB_ITEMS", 500, 1, 1_000);
const spikeSeconds = envInteger("BENCH_WB_SPIKE_SECONDS", 5, 1, 600);
const flushIntervalMs = envInteger("BENCH_WB_INTERVAL_MS", 1_000, 50, 60_000);
const platforms = envChoices<SpikePlatform>("BENCH_WB_PLATFORMS", ["shopify", "woocommerce"], ["shopify", "woocommerce"]);
const databases = envChoices<DatabaseKind>("BENCH_ORDER_DATABASES", ["sqlite", "postgresql"], ["sqlite", "postgresql"]);
const repositories = envChoices<IntakeRepository>("BENCH_ORDER_REPOSITORIES", ["batched"], ["batched", "single"]);
const measureHolds = process.env.BENCH_HOLDS?.trim() !== "0";
const holdsSeconds = envInteger("BENCH_HOLDS_SECONDS", 5, 1, 600);
const holdsWarmupSeconds = envInteger("BENCH_HOLDS_WARMUP_SECONDS", 2, 0, 120);
const holdsConnections = envInteger("BENCH_HOLDS_CONNECTIONS", 256, 1, 10_000);
const writeBack = process.env.BENCH_WB?.trim() !== "0";

const runId = randomBytes(4).toString("hex");
const startedAt = Date.now();
function log(message: string): void {
  const elapsed = ((Date.now() - startedAt) / 1_000).toFixed(1).padStart(6);
  console.log(`[orders ${elapsed}s] ${message}`);
}

async function main(): Promise<number> {
  const cleanup = new Cleanup();
  cleanup.handleSignals(log);
  const meta = hostMetadata();
  const intake: IntakeResult[] = [];
  const spikes: SpikeResult[] = [];
  const errors: string[] = [];
  let storefront: StorefrontHoldsResult | null = null;
  try {
    const redisServer = await startPrivateRedis();
    cleanup.add("stop the private redis-server", () => redisServer.stop());
    log(`private redis-server at ${redisServer.url}`);
    const redis = createRedis({ mode: "standalone", url: redisServer.url });
    cleanup.add("disconnect from Redis", () => redis.quit());
    if (measureHolds) {
      try {
        storefront = await measureStorefrontHolds({
          redis,
          redisUrl: redisServer.url,
          runId,
          connections: holdsConnections,
          warmupSeconds: holdsWarmupSeconds,
          seconds: holdsSeconds,
          log,
        });
        log(`storefront holds: ${formatCount(storefront.holdsPerSec)} holds/s granted`);
      } catch (error) {
        errors.push(`storefront holds: ${error instanceof Error ? error.message : String(error)}`);
        log(errors.at(-1)!);
      }
    }
    for (const database of databases) {
      try {
        const db = await openBenchDatabase(database, runId, cleanup);
        for (const repository of repositories) {
          const burst = await measureIntake({ redis, db, database, repository, runId, events, concurrency, log });
          intake.push(burst);
          const ratePerSec = fixedRate ?? Math.max(1, Math.floor(burst.jobsPerSec / 2));
          intake.push(await measureIntake({ redis, db, database, repository, runId, events: ratePerSec * pacedSeconds, concurrency, ratePerSec, log }));
        }
      } catch (error) {
        errors.push(`intake on ${database}: ${error instanceof Error ? error.message : String(error)}`);
        log(errors.at(-1)!);
      }
    }
    if (writeBack) {
      const db = await openBenchDatabase("sqlite", `${runId}-wb`, cleanup);
      for (const platform of platforms) {
        try {
          spikes.push(await measureSpike({ redis, db, runId, platform, items, changes, spikeSeconds, flushIntervalMs, log }));
        } catch (error) {
          errors.push(`write-back ${platform}: ${error instanceof Error ? error.message : String(error)}`);
          log(errors.at(-1)!);
        }
      }
    }
  } finally {
    for (const failure of await cleanup.runAll()) {
      errors.push(`cleanup: ${failure}`);
      log(`cleanup failed: ${failure}`);
    }
  }

  if (intake.length > 0) {
    console.log("\nOrder-event intake (enqueue -> committed in Redis and SQL)");
    console.log(
      formatTable(
        [
          "database",
          "repository",
          "shape",
          "offered/s",
          "events",
          "with hold",
          "bypass",
          "concurrency",
          "jobs/s",
          "p50 ms",
          "p99 ms",
          "max ms",
          "failed",
          "sold",
          "from holds",
          "SQL orders",
        ],
        intake.map((run) => [
          run.database,
          run.repository,
          run.shape,
          run.ratePerSec === null ? "all at once" : formatCount(run.ratePerSec),
          formatCount(run.events),
          formatCount(run.withHold),
          formatCount(run.bypass),
          String(run.concurrency),
          formatCount(run.jobsPerSec),
          formatMs(run.latencyMs.p50Ms),
          formatMs(run.latencyMs.p99Ms),
          formatMs(run.latencyMs.maxMs),
          String(run.failed),
          formatCount(run.soldInRedis),
          formatCount(run.committedFromHolds),
          formatCount(run.ordersInSql),
        ]),
      ),
    );
  }
  // The intake keeps up when its burst throughput is at least the rate holds are granted at.
  const keepsUp = intake
    .filter((run) => run.shape === "burst")
    .map((run) => ({
      database: run.database,
      repository: run.repository,
      intakeJobsPerSec: round(run.jobsPerSec, 0),
      storefrontHoldsPerSec: storefront === null ? null : round(storefront.holdsPerSec, 0),
      ratio: storefront === null ? null : round(run.jobsPerSec / storefront.holdsPerSec, 2),
    }));
  if (storefront !== null) {
    console.log(
      `\nIntake vs the storefront's hold rate, same run (POST /v1/sales/:id/holds, ${storefront.connections} connections, ${storefront.seconds.toFixed(1)} s:` +
        ` p50 ${formatMs(storefront.p50Ms)} ms, p99 ${formatMs(storefront.p99Ms)} ms, non-2xx ${storefront.non2xx}, errors ${storefront.errors})`,
    );
    console.log(
      formatTable(
        ["database", "repository", "intake jobs/s (burst)", "storefront holds/s", "intake / holds", "keeps up"],
        keepsUp.map((row) => [
          row.database,
          row.repository,
          formatCount(row.intakeJobsPerSec),
          formatCount(row.storefrontHoldsPerSec ?? 0),
          String(row.ratio),
          (row.ratio ?? 0) >= 1 ? "yes" : "NO",
        ]),
      ),
    );
  }
  const goals = spikes.map((spike) => ({
    platform: spike.platform,
    atMostOneCallPerBatchPerInterval: spike.calls <= spike.idealCalls,
    zeroThrottled: spike.throttled === 0,
    convergedWithinTwoIntervals: spike.convergeMs < 2 * spike.flushIntervalMs,
  }));
  if (spikes.length > 0) {
    console.log(`\nWrite-back during a spike (flush interval ${flushIntervalMs} ms)`);
    console.log(
      formatTable(
        ["platform", "items", "batch", "changes", "spike s", "calls", "ideal", "calls/10k", "throttled", "converge ms", "intervals", "goals"],
        spikes.map((spike, index) => {
          const goal = goals[index]!;
          const met = goal.atMostOneCallPerBatchPerInterval && goal.zeroThrottled && goal.convergedWithinTwoIntervals;
          return [
            spike.platform,
            String(spike.items),
            String(spike.maxBatch),
            formatCount(spike.changes),
            spike.spikeSeconds.toFixed(1),
            String(spike.calls),
            String(spike.idealCalls),
            spike.callsPer10kChanges.toFixed(1),
            String(spike.throttled),
            formatCount(spike.convergeMs),
            spike.convergeIntervals.toFixed(2),
            met ? "met" : "MISSED",
          ];
        }),
      ),
    );
  }
  const output = writeResults("orders", {
    meta: { ...meta, runId, durationSeconds: round((Date.now() - startedAt) / 1_000, 1) },
    settings: {
      databases,
      repositories,
      events,
      concurrency,
      pacedSeconds,
      fixedRate,
      holds: measureHolds ? { seconds: holdsSeconds, warmupSeconds: holdsWarmupSeconds, connections: holdsConnections } : null,
      writeBack: writeBack ? { changes, items, spikeSeconds, flushIntervalMs, platforms } : null,
    },
    storefrontHolds: storefront,
    intake,
    intakeVsStorefront: keepsUp,
    writeBack: spikes,
    goals,
    errors,
  });
  log(`wrote ${output}`);
  return errors.length > 0 ? 1 : 0;
}

process.exitCode = await main();

/**
 * Soak: steady load on the storefront API for a long time (default 10 minutes), to show that
 * the app's memory and latency stay flat. The app is buildApp() in its own process
 * (bench/storefront/server.ts, reporting its RSS and V8 heap), on a private redis-server; the
 * load is the bench:storefront load generator, run once per sample window back to back, so
 * each window gives its own p50/p99. Holds last one minute, so expired holds are reclaimed
 * (lazily, by later reserves) and Redis' own state reaches a steady size too.
 *
 * The verdict fits a line (least squares) through the per-window figures and calls a figure
 * flat when the line's change over the whole run is within a tolerance of its mean: memory
 * 10%, latency 25% (latency on a shared machine moves with the neighbours).
 * Writes bench/results/soak.json (BENCH_RESULTS_NAME to change the name).
 *
 * Env: BENCH_SOAK_SECONDS (600), BENCH_SOAK_SAMPLE_SECONDS (60: one window, one sample),
 *      BENCH_WARMUP_SECONDS (10, untimed, before the first window), BENCH_CONNECTIONS (32),
 *      BENCH_SOAK_ROW (holds; or status, join).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

import { Redis } from "ioredis";

import { HoldEngine, LIMITS } from "../app/core/inventory/index.ts";
import { WaitingRoom } from "../app/core/waiting-room/index.ts";
import { migrateDatabase } from "../app/db/migrate.server.ts";
import { Cleanup } from "./lib/cleanup.ts";
import { startPrivateRedis } from "./lib/privateRedis.ts";
import { envInteger, envNumber, hostMetadata, resultsNameFromEnv, writeResults } from "./lib/results.ts";
import { formatCount, formatMs, formatTable, round } from "./lib/table.ts";
import { BenchChild } from "./storefront/children.ts";
import type { LoadKind, LoadSpec } from "./storefront/protocol.ts";
import { defineBenchSale, prepareTickets, runLoadgen, startScriptNodeFlags } from "./storefront/setup.ts";

const soakSeconds = envNumber("BENCH_SOAK_SECONDS", 600, 2, 24 * 3_600);
const sampleSeconds = envNumber("BENCH_SOAK_SAMPLE_SECONDS", 60, 1, 3_600);
const warmupSeconds = envNumber("BENCH_WARMUP_SECONDS", 10, 0, 600);
const connections = envInteger("BENCH_CONNECTIONS", 32, 1, 10_000);
const row = (process.env.BENCH_SOAK_ROW?.trim() || "holds") as LoadKind;
if (!["holds", "status", "join"].includes(row)) throw new Error(`BENCH_SOAK_ROW "${row}" must be holds, status or join`);
const resultsName = resultsNameFromEnv("soak");
const windows = Math.max(2, Math.round(soakSeconds / sampleSeconds));
const MEMORY_TOLERANCE = 0.1;
const LATENCY_TOLERANCE = 0.25;
const HOLD_ITEM = "soak-item";
const startedAt = Date.now();
const cleanup = new Cleanup();

function log(message: string): void {
  console.log(`[soak ${((Date.now() - startedAt) / 1_000).toFixed(1).padStart(7)}s] ${message}`);
}

export interface SoakSample {
  /** Minutes from the start of the first window to the end of this one. */
  atMinutes: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  rssMb: number;
  /** The lowest V8 heap in use reported during the window. */
  heapUsedMb: number;
}

export interface SoakTrend {
  figure: "rssMb" | "heapUsedMb" | "p50Ms" | "p99Ms" | "requestsPerSec";
  mean: number;
  /** Least-squares slope, per minute. */
  slopePerMinute: number;
  /** slope x the run's span, as a share of the mean. */
  changeShare: number;
  flat: boolean;
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] ?? 0) - mx) * ((ys[i] ?? 0) - my);
    den += ((xs[i] ?? 0) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function trends(samples: readonly SoakSample[]): SoakTrend[] {
  const xs = samples.map((s) => s.atMinutes);
  const span = Math.max(...xs) - Math.min(...xs);
  return (["rssMb", "heapUsedMb", "p50Ms", "p99Ms", "requestsPerSec"] as const).map((figure) => {
    const ys = samples.map((s) => s[figure]);
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    const perMinute = slope(xs, ys);
    const changeShare = mean === 0 ? 0 : (perMinute * span) / mean;
    const tolerance = figure === "rssMb" || figure === "heapUsedMb" ? MEMORY_TOLERANCE : LATENCY_TOLERANCE;
    // Throughput falling is the concern; latency and memory rising.
    const flat = figure === "requestsPerSec" ? changeShare >= -tolerance : changeShare <= tolerance;
    return { figure, mean: round(mean, 2), slopePerMinute: round(perMinute, 3), changeShare: round(changeShare, 3), flat };
  });
}

async function main(): Promise<number> {
  cleanup.handleSignals(log);
  const dir = mkdtempSync(join(os.tmpdir(), "holdfast-bench-soak-"));
  cleanup.add(`remove ${dir}`, async () => rmSync(dir, { recursive: true, force: true }));
  try {
    const privateRedis = await startPrivateRedis();
    cleanup.add("stop the private redis-server", () => privateRedis.stop());
    const redis = new Redis(privateRedis.url, { maxRetriesPerRequest: 3 });
    cleanup.add("close the bench's redis connection", () => redis.quit());
    const databaseUrl = `file:${join(dir, "soak.db")}`;
    await migrateDatabase(databaseUrl, () => undefined);
    const saleId = await defineBenchSale({ holds: new HoldEngine(redis), room: new WaitingRoom(redis) }, `soak-${randomBytes(3).toString("hex")}`, HOLD_ITEM, {
      mode: row === "holds" ? "off" : "rate",
      state: "live",
      allocation: LIMITS.maxAllocation,
      holdMinutes: 1,
    });

    // Per window: the last RSS, and the lowest heap in use (its floor after collections: a
    // single reading lands anywhere on the garbage collector's sawtooth).
    let memory = { rssBytes: 0, heapFloorBytes: Number.POSITIVE_INFINITY };
    const app = new BenchChild("app server", {
      script: "bench/storefront/server.ts",
      nodeFlags: startScriptNodeFlags(),
      env: {
        ...process.env,
        NODE_ENV: "production",
        BENCH_REDIS_URL: privateRedis.url,
        BENCH_DATABASE_URL: databaseUrl,
        HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        BENCH_MEMORY_REPORT_MS: String(Math.min(5_000, (sampleSeconds * 1_000) / 4)),
      },
      onMessage: (message) => {
        if (message.type === "memory") memory = { rssBytes: message.rssBytes, heapFloorBytes: Math.min(memory.heapFloorBytes, message.heapUsedBytes) };
      },
    });
    cleanup.add("stop the app server", () => app.stop());
    const base = `http://127.0.0.1:${(await app.waitFor("ready", 90_000)).port}`;
    const credentials = row === "status" ? await prepareTickets(base, saleId, 500) : undefined;
    log(`${windows} windows of ${sampleSeconds} s, ${row} with ${connections} connections, against ${base}`);

    const samples: SoakSample[] = [];
    const firstStart = Date.now();
    for (let window = 0; window < windows; window++) {
      const spec: LoadSpec = {
        base,
        kind: row,
        saleId,
        connections,
        warmupSeconds: window === 0 ? warmupSeconds : 0,
        seconds: sampleSeconds,
        progressSeconds: 0,
        ...(credentials ? { credentials } : {}),
        ...(row === "holds" ? { itemId: HOLD_ITEM } : {}),
      };
      memory = { rssBytes: memory.rssBytes, heapFloorBytes: Number.POSITIVE_INFINITY };
      const result = await runLoadgen(dir, spec, cleanup);
      const sample: SoakSample = {
        atMinutes: round((Date.now() - firstStart) / 60_000 - (window === 0 ? warmupSeconds / 60 : 0), 2),
        requestsPerSec: round(result.requestsPerSec, 0),
        p50Ms: result.latency.p50Ms,
        p99Ms: result.latency.p99Ms,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        rssMb: round(memory.rssBytes / 2 ** 20, 1),
        heapUsedMb: round((Number.isFinite(memory.heapFloorBytes) ? memory.heapFloorBytes : 0) / 2 ** 20, 1),
      };
      samples.push(sample);
      log(
        `window ${window + 1}/${windows}: ${formatCount(sample.requestsPerSec)}/s, p50 ${formatMs(sample.p50Ms)}, p99 ${formatMs(sample.p99Ms)}, RSS ${sample.rssMb} MB, heap ${sample.heapUsedMb} MB`,
      );
    }
    const redisMemoryMb = round(Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? 0) / 2 ** 20, 1);
    const fitted = trends(samples);
    console.log(
      `\n${formatTable(
        ["min", "req/s", "p50", "p99", "non-2xx", "errors", "RSS MB", "heap MB"],
        samples.map((s) => [
          String(s.atMinutes),
          formatCount(s.requestsPerSec),
          formatMs(s.p50Ms),
          formatMs(s.p99Ms),
          String(s.non2xx),
          String(s.errors),
          String(s.rssMb),
          String(s.heapUsedMb),
        ]),
      )}\n`,
    );
    console.log(
      `${formatTable(
        ["figure", "mean", "slope/min", "change over run", "flat"],
        fitted.map((t) => [t.figure, String(t.mean), String(t.slopePerMinute), `${round(t.changeShare * 100, 1)}%`, t.flat ? "yes" : "NO"]),
      )}\n`,
    );
    const flat = fitted.every((t) => t.flat);
    log(`memory and latency ${flat ? "stayed flat" : "did NOT stay flat"}; Redis used_memory at the end ${redisMemoryMb} MB`);
    const file = writeResults(resultsName, {
      benchmark: "soak",
      at: new Date().toISOString(),
      host: hostMetadata(),
      settings: { soakSeconds, sampleSeconds, warmupSeconds, connections, row, memoryTolerance: MEMORY_TOLERANCE, latencyTolerance: LATENCY_TOLERANCE },
      samples,
      trends: fitted,
      flat,
      redisMemoryMbAtEnd: redisMemoryMb,
    });
    log(`wrote ${file}`);
    return samples.some((s) => s.errors > 0 || s.non2xx > 0) ? 1 : 0;
  } finally {
    for (const failure of await cleanup.runAll()) log(`cleanup: ${failure}`);
  }
}

process.exitCode = await main();

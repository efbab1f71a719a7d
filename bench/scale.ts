/**
 * Scale benchmark: the storefront API (status, join, holds; the same requests and load
 * generator as bench:storefront) against 1 and against 2 web processes behind one port
 * (bench/scale/webProcesses.ts, node:cluster), on a private standalone redis-server and on a
 * private 3-master Redis Cluster, all in one run. Reports requests/s and latency per case,
 * the 2-vs-1 process ratio per Redis, and the cluster-vs-standalone ratio per process count.
 * Writes bench/results/scale.json.
 *
 * Env: BENCH_SECONDS (10, timed window per case), BENCH_WARMUP_SECONDS (2),
 *      BENCH_CONNECTIONS (128), BENCH_ROWS (status,join,holds), BENCH_REDIS (standalone,cluster),
 *      BENCH_PROCESSES (1,2), BENCH_ROUNDS (3: each case once per round, the process counts'
 *      order alternating; the report gives medians), BENCH_RESULTS_NAME (scale: the file's name).
 * The machines are shared: compare the ratios, not the absolute figures. With two cores, the
 * load generator, Redis and two app processes share them, so the ratio says how much a second
 * process buys here, not on a machine with a core per process.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

import { HoldEngine, LIMITS } from "../app/core/inventory/index.ts";
import { createRedis, describeRedis, redisConfigFromEnv, type RedisConfig } from "../app/core/redis.ts";
import { WaitingRoom } from "../app/core/waiting-room/index.ts";
import { migrateDatabase } from "../app/db/migrate.server.ts";
import { startTestCluster } from "../test/support/redisCluster.ts";
import { Cleanup } from "./lib/cleanup.ts";
import { startPrivateRedis } from "./lib/privateRedis.ts";
import { envInteger, envNumber, hostMetadata, resultsNameFromEnv, writeResults } from "./lib/results.ts";
import { formatCount, formatMs, formatTable, round } from "./lib/table.ts";
import { median } from "./lib/rounds.ts";
import { BenchChild } from "./storefront/children.ts";
import type { Credential, LoadKind, LoadResult, LoadSpec } from "./storefront/protocol.ts";
import { defineBenchSale, prepareTickets, runLoadgen, startScriptNodeFlags } from "./storefront/setup.ts";

const seconds = envNumber("BENCH_SECONDS", 10, 0.5, 600);
const warmupSeconds = envNumber("BENCH_WARMUP_SECONDS", 2, 0, 120);
const connections = envInteger("BENCH_CONNECTIONS", 128, 1, 10_000);
const rounds = envInteger("BENCH_ROUNDS", 3, 1, 10);
const ROWS = listEnv("BENCH_ROWS", ["status", "join", "holds"] as const);
const REDIS_KINDS = listEnv("BENCH_REDIS", ["standalone", "cluster"] as const);
const PROCESS_COUNTS = listEnv("BENCH_PROCESSES", ["1", "2"] as const).map(Number);
/** Another name keeps a test's tiny run from replacing the real figures. */
const resultsName = resultsNameFromEnv("scale");
const HOLD_ITEM = "bench-item";
const STATUS_TICKETS = 500;
const runId = randomBytes(3).toString("hex");
const startedAt = Date.now();
const cleanup = new Cleanup();

type RedisKind = (typeof REDIS_KINDS)[number];

function listEnv<T extends string>(name: string, all: readonly T[]): T[] {
  const raw = process.env[name]?.trim();
  if (!raw) return [...all];
  const picked = raw.split(",").map((word) => word.trim());
  for (const word of picked) if (!(all as readonly string[]).includes(word)) throw new Error(`${name}: unknown "${word}" (use ${all.join(",")})`);
  return all.filter((word) => picked.includes(word));
}

function log(message: string): void {
  console.log(`[scale ${((Date.now() - startedAt) / 1_000).toFixed(1).padStart(6)}s] ${message}`);
}

/** One Redis, process count and row: medians over the rounds, counts summed. */
export interface ScaleCase {
  redis: RedisKind;
  processes: number;
  row: LoadKind;
  requestsPerSec: number;
  roundsRequestsPerSec: number[];
  p50Ms: number;
  p99Ms: number;
  responses: number;
  non2xx: number;
  errors: number;
  non2xxSamples: { status: number; body: string }[];
}

async function startRedis(kind: RedisKind): Promise<{ config: RedisConfig; childEnv: Record<string, string> }> {
  if (kind === "standalone") {
    const redis = await startPrivateRedis();
    cleanup.add("stop the private redis-server", () => redis.stop());
    return { config: { mode: "standalone", url: redis.url }, childEnv: { BENCH_REDIS_URL: redis.url, BENCH_REDIS_CLUSTER_NODES: "" } };
  }
  const cluster = await startTestCluster();
  cleanup.add("stop the private Redis Cluster", () => cluster.stop());
  return { config: redisConfigFromEnv({ REDIS_CLUSTER_NODES: cluster.seeds }), childEnv: { BENCH_REDIS_CLUSTER_NODES: cluster.seeds } };
}

/** The web processes behind one port; resolves once every one of them listens. */
async function startWeb(childEnv: NodeJS.ProcessEnv, processes: number, scope: Cleanup): Promise<string> {
  const child = new BenchChild(`${processes} web process(es)`, {
    script: "bench/scale/webProcesses.ts",
    nodeFlags: startScriptNodeFlags(),
    env: { ...childEnv, BENCH_WEB_PROCESSES: String(processes) },
  });
  scope.add(`stop ${child.name}`, () => child.stop());
  let port = 0;
  for (let i = 0; i < processes; i++) port = (await child.waitFor("ready", 90_000)).port;
  return `http://127.0.0.1:${port}`;
}

async function measureRedis(kind: RedisKind, dir: string, baseEnv: NodeJS.ProcessEnv): Promise<ScaleCase[]> {
  const { config, childEnv } = await startRedis(kind);
  log(`${kind}: ${describeRedis(config)}`);
  const redis = createRedis(config);
  cleanup.add(`close the ${kind} connection`, () => redis.quit());
  const engines = { holds: new HoldEngine(redis), room: new WaitingRoom(redis) };
  const sales: Record<LoadKind, string> = {
    status: await defineBenchSale(engines, `bench-${runId}-status`, HOLD_ITEM, { mode: "rate", state: "live", allocation: 1_000 }),
    join: await defineBenchSale(engines, `bench-${runId}-join`, HOLD_ITEM, { mode: "rate", state: "live", allocation: 1_000 }),
    holds: await defineBenchSale(engines, `bench-${runId}-holds`, HOLD_ITEM, { mode: "off", state: "live", allocation: LIMITS.maxAllocation }),
    fixed: "",
  };
  const runs = new Map<string, LoadResult[]>();
  let credentials: Credential[] | null = null;
  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    // Every other round in reverse, so neither process count always runs first on a machine whose load drifts.
    for (const processes of roundIndex % 2 === 0 ? PROCESS_COUNTS : [...PROCESS_COUNTS].reverse()) {
      const scope = new Cleanup();
      try {
        const base = await startWeb({ ...baseEnv, ...childEnv }, processes, scope);
        credentials ??= ROWS.includes("status") ? await prepareTickets(base, sales.status, STATUS_TICKETS) : [];
        for (const row of ROWS) {
          const spec: LoadSpec = {
            base,
            kind: row,
            saleId: sales[row],
            connections,
            warmupSeconds,
            seconds,
            progressSeconds: 0,
            ...(row === "status" ? { credentials } : {}),
            ...(row === "holds" ? { itemId: HOLD_ITEM } : {}),
          };
          const result = await runLoadgen(dir, spec, scope);
          log(
            `${kind}, ${processes} process(es), ${row}, round ${roundIndex + 1}: ${formatCount(result.requestsPerSec)}/s, p99 ${formatMs(result.latency.p99Ms)}`,
          );
          runs.set(`${processes}/${row}`, [...(runs.get(`${processes}/${row}`) ?? []), result]);
        }
      } finally {
        for (const failure of await scope.runAll()) log(`cleanup: ${failure}`);
      }
    }
  }
  const cases: ScaleCase[] = [];
  for (const processes of PROCESS_COUNTS) {
    for (const row of ROWS) {
      const results = runs.get(`${processes}/${row}`) ?? [];
      cases.push({
        redis: kind,
        processes,
        row,
        requestsPerSec: round(median(results.map((r) => r.requestsPerSec)), 0),
        roundsRequestsPerSec: results.map((r) => round(r.requestsPerSec, 0)),
        p50Ms: median(results.map((r) => r.latency.p50Ms)),
        p99Ms: median(results.map((r) => r.latency.p99Ms)),
        responses: results.reduce((sum, r) => sum + r.responses, 0),
        non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
        errors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
        non2xxSamples: results.flatMap((r) => r.non2xxSamples).slice(0, 2),
      });
    }
  }
  return cases;
}

export interface ScaleRatio {
  row: LoadKind;
  /** "2/1 processes on standalone" and the like. */
  compares: string;
  ratio: number | null;
}

function ratios(cases: readonly ScaleCase[]): ScaleRatio[] {
  const find = (redis: RedisKind, processes: number, row: LoadKind) => cases.find((c) => c.redis === redis && c.processes === processes && c.row === row);
  const out: ScaleRatio[] = [];
  const [fewest, most] = [Math.min(...PROCESS_COUNTS), Math.max(...PROCESS_COUNTS)];
  for (const row of ROWS) {
    for (const redis of REDIS_KINDS) {
      const [one, two] = [find(redis, fewest, row), find(redis, most, row)];
      if (fewest !== most && one && two)
        out.push({ row, compares: `${most}/${fewest} processes on ${redis}`, ratio: round(two.requestsPerSec / one.requestsPerSec, 2) });
    }
    for (const processes of PROCESS_COUNTS) {
      const [standalone, cluster] = [find("standalone", processes, row), find("cluster", processes, row)];
      if (standalone && cluster)
        out.push({ row, compares: `cluster/standalone with ${processes} process(es)`, ratio: round(cluster.requestsPerSec / standalone.requestsPerSec, 2) });
    }
  }
  return out;
}

async function main(): Promise<number> {
  cleanup.handleSignals(log);
  const dir = mkdtempSync(join(os.tmpdir(), "holdfast-bench-scale-"));
  cleanup.add(`remove ${dir}`, async () => rmSync(dir, { recursive: true, force: true }));
  const databaseUrl = `file:${join(dir, "bench.db")}`;
  await migrateDatabase(databaseUrl, () => undefined);
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    BENCH_DATABASE_URL: databaseUrl,
    HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
  try {
    const cases: ScaleCase[] = [];
    for (const kind of REDIS_KINDS) cases.push(...(await measureRedis(kind, dir, baseEnv)));
    const compared = ratios(cases);
    console.log(
      `\n${formatTable(
        ["redis", "processes", "row", "req/s", "p50", "p99", "non-2xx", "errors"],
        cases.map((c) => [
          c.redis,
          String(c.processes),
          c.row,
          formatCount(c.requestsPerSec),
          formatMs(c.p50Ms),
          formatMs(c.p99Ms),
          String(c.non2xx),
          String(c.errors),
        ]),
      )}\n`,
    );
    console.log(
      `${formatTable(
        ["row", "compares", "ratio"],
        compared.map((r) => [r.row, r.compares, r.ratio === null ? "-" : `${r.ratio}x`]),
      )}\n`,
    );
    const file = writeResults(resultsName, {
      benchmark: "scale",
      at: new Date().toISOString(),
      host: hostMetadata(),
      settings: { seconds, warmupSeconds, connections, rounds, rows: ROWS, redis: REDIS_KINDS, processes: PROCESS_COUNTS },
      cases,
      ratios: compared,
    });
    log(`wrote ${file}`);
    return cases.some((c) => c.errors > 0 || c.responses === 0) ? 1 : 0;
  } finally {
    for (const failure of await cleanup.runAll()) log(`cleanup: ${failure}`);
  }
}

process.exitCode = await main();

import { fileURLToPath } from "node:url";

import { HoldEngine, LIMITS } from "../../app/core/inventory/index.ts";
import { readLuaScript } from "../../app/core/luaScripts.ts";
import { createRedis, redisConfigFromEnv, type RedisClient } from "../../app/core/redis.ts";
import { cpuBetween, sampleCpu } from "../lib/cpu.ts";
import { runRedisBenchmark, type RedisBenchmarkResult } from "../lib/redisBenchmark.ts";
import { commandStatsDelta, redisCommandStats, redisCpuSeconds, type CommandStatDelta } from "../lib/redisInfo.ts";
import { benchKey, CHECK_AND_DECREMENT_LUA, THROUGHPUT_STOCK } from "./evalEveryCall.ts";
import { unlinkSale } from "./holdfast.ts";
import { round } from "../lib/table.ts";
import { otherCpu, roundAll } from "./inProcess.ts";
import { reserveCommand } from "./reserveVariants.ts";
import { PROBE_ALLOCATION, PROBE_ATTEMPTS, type BenchContext, type BenchSystem, type ProbeRun, type TimedRun } from "./types.ts";

interface Target {
  host: string;
  port: number;
  password?: string;
  db?: number;
}

function benchmarkTarget(): Target {
  const config = redisConfigFromEnv();
  if (config.mode !== "standalone") throw new Error("the redis-benchmark ceiling needs a standalone Redis (REDIS_URL), not REDIS_CLUSTER_NODES");
  const url = new URL(config.url);
  const db = Number(url.pathname.replace(/^\//, "") || "0");
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db } : {}),
  };
}

interface Measured {
  result: RedisBenchmarkResult;
  requests: number;
  warmupRps: number;
  cpu: Record<string, number | null>;
  commandStats: CommandStatDelta[];
}

/**
 * Warm-up run (also calibrates), then a timed run sized to last about `seconds`, with the
 * CPU split (Redis, redis-benchmark, host, others) and the server's command statistics.
 */
async function measured(redis: RedisClient, context: BenchContext, command: (run: string) => readonly string[], keyspace?: number): Promise<Measured> {
  const common = { ...benchmarkTarget(), clients: context.concurrency, ...(keyspace ? { keyspace } : {}) };
  const warmupRequests = Math.max(10_000, Math.round(context.concurrency * 50 * Math.max(1, context.warmupSeconds)));
  context.log(`  warm-up: redis-benchmark -c ${context.concurrency} -n ${warmupRequests}`);
  const warmup = await runRedisBenchmark({ ...common, command: command("w"), requests: warmupRequests, timeoutMs: 60_000 });
  const requests = Math.min(20_000_000, Math.max(context.concurrency * 100, Math.round(warmup.rps * context.seconds)));
  context.log(`  timed: redis-benchmark -c ${context.concurrency} -n ${requests} (about ${context.seconds} s at ${Math.round(warmup.rps)}/s)`);
  const statsBefore = await redisCommandStats(redis);
  const before = await sampleCpu(() => redisCpuSeconds(redis));
  const result = await runRedisBenchmark({ ...common, command: command("t"), requests, timeoutMs: context.seconds * 6_000 + 30_000 });
  const after = await sampleCpu(() => redisCpuSeconds(redis));
  const statsAfter = await redisCommandStats(redis);
  const cpu = cpuBetween(before, after);
  const clientCpuPct = result.clientCpuSeconds !== null ? ((result.clientCpuSeconds * 1_000) / result.wallMs) * 100 : null;
  return {
    result,
    requests,
    warmupRps: warmup.rps,
    cpu: roundAll({
      clientCpuPct,
      serverCpuPct: cpu.serverCpuPct,
      hostCpuPct: cpu.hostCpuPct,
      otherCpuPct: otherCpu(cpu.hostCpuPct, clientCpuPct, cpu.serverCpuPct, cpu.nodeCpuPct),
    }),
    commandStats: commandStatsDelta(statsBefore, statsAfter, Math.floor(requests / 10)),
  };
}

function toTimedRun(run: Measured): TimedRun {
  return {
    opsPerSec: run.result.rps,
    p50Ms: run.result.p50Ms,
    p99Ms: run.result.p99Ms,
    cpu: run.cpu,
    redisCommandStats: run.commandStats,
    extra: {
      requests: run.requests,
      warmupRps: run.warmupRps,
      wallMs: round(run.result.wallMs, 1),
      avgMs: run.result.avgMs,
      maxMs: run.result.maxMs,
      csv: run.result.csv,
    },
  };
}

/** System 5: redis-benchmark (C, one thread) running EVALSHA of the minimal script. */
export function ceilingSystem(context: BenchContext): BenchSystem {
  const hotKey = benchKey(context.runId, "ceiling", "hot");
  const probeKey = benchKey(context.runId, "ceiling", "probe");
  let redis: RedisClient | null = null;
  let sha = "";
  return {
    name: "redis-benchmark-evalsha-ceiling",
    description:
      "redis-benchmark (C client, own process) EVALSHA of the same GET/DECRBY script loaded with SCRIPT LOAD, same -c, no pipelining (-P 1); figures from its --csv output",
    async setup() {
      benchmarkTarget(); // fails early on a cluster configuration
      const connection = createRedis();
      redis = connection;
      context.cleanup.add("close ceiling redis connection", () => connection.quit());
      context.cleanup.add(`delete ${hotKey}, ${probeKey}`, () => connection.unlink(hotKey, probeKey));
      sha = String(await connection.script("LOAD", CHECK_AND_DECREMENT_LUA));
      await connection.set(hotKey, THROUGHPUT_STOCK);
      return { sha, keys: [hotKey, probeKey], script: CHECK_AND_DECREMENT_LUA, throughputStock: THROUGHPUT_STOCK };
    },
    async timed() {
      return toTimedRun(await measured(redis!, context, () => ["EVALSHA", sha, "1", hotKey, "1"]));
    },
    async probe(): Promise<ProbeRun> {
      context.log(`  probe: key = ${PROBE_ALLOCATION}, redis-benchmark -c ${context.concurrency} -n ${PROBE_ATTEMPTS}`);
      await redis!.set(probeKey, PROBE_ALLOCATION);
      const run = await runRedisBenchmark({
        ...benchmarkTarget(),
        clients: context.concurrency,
        requests: PROBE_ATTEMPTS,
        command: ["EVALSHA", sha, "1", probeKey, "1"],
        timeoutMs: 60_000,
      });
      const final = Number(await redis!.get(probeKey));
      return {
        oversold: Math.max(0, -final),
        finalCounter: final,
        storedStateConsistent: final === 0,
        detail: { allocation: PROBE_ALLOCATION, requests: PROBE_ATTEMPTS, final, expectedFinal: 0, rps: run.rps },
      };
    },
  };
}

const LUA_DIRECTORY = fileURLToPath(new URL("../../app/core/inventory/lua/", import.meta.url));

/**
 * Diagnostic: the real reserve.lua under redis-benchmark (EVALSHA, same 8 keys, ARGV as
 * HoldEngine sends them, random hold/customer/request ids). Its rate is what Redis does for
 * this script with a fast C client: the server-side ceiling of a Holdfast reserve.
 */
export function reserveScriptSystem(context: BenchContext): BenchSystem {
  const saleId = `bench-${context.runId}-diag`;
  let redis: RedisClient | null = null;
  let sha = "";
  return {
    name: "diagnostic-reserve-lua-via-redis-benchmark",
    description:
      "the real reserve.lua through redis-benchmark (EVALSHA, ARGV as HoldEngine sends them, random hold/customer/request ids): the server-side ceiling of a Holdfast reserve with a fast client",
    async setup() {
      benchmarkTarget();
      const connection = createRedis();
      redis = connection;
      context.cleanup.add("close diagnostic redis connection", () => connection.quit());
      context.cleanup.add(`delete keys of sale ${saleId}`, () => unlinkSale(connection, saleId));
      await new HoldEngine(connection).defineSale(saleId, { perCustomerLimit: 0, items: [{ itemId: "hot", allocation: LIMITS.maxAllocation }] });
      sha = String(await connection.script("LOAD", readLuaScript(LUA_DIRECTORY, "reserve")));
      return { saleId, sha };
    },
    async timed(round) {
      // With -r every __rand_int__ is replaced per request, but redis-benchmark does not seed
      // its generator: each invocation repeats the same numbers, so a per-invocation prefix
      // keeps a run from replaying an earlier run's request keys.
      return toTimedRun(await measured(redis!, context, (run) => reserveCommand(sha, saleId, `${round}${run}`, 20, 1), 2_000_000_000));
    },
  };
}

/**
 * Where a Holdfast reserve spends its time (companion of bench/holds.ts; run with
 * `npx tsx bench/holdsProfile.ts`). Uses a private redis-server so the server's command
 * statistics hold this run's commands only.
 *
 * Part A, server side: variants of reserve.lua (built here from the shipped script by
 * removing one piece at a time) run by redis-benchmark; reports the server time per call
 * (INFO commandstats, EVALSHA usec includes the commands the script calls) and the rate.
 * Part B, client side: HoldEngine.reserve() from this process, C closed-loop clients,
 * under different connection settings; reports ops/s and CPU per operation on each side.
 *
 * Env: BENCH_CONCURRENCY (200), BENCH_SECONDS (5 per variant), BENCH_WARMUP_SECONDS (1),
 *      BENCH_PROFILE_ROUNDS (3: part A repeats every variant, interleaved, and reports medians),
 *      BENCH_PROFILE_ONLY (a case-insensitive pattern: only the variants of both parts whose
 *      names match it run, e.g. "16 requests|16/call" to compare a few pieces quickly).
 */
import { randomBytes, createHash } from "node:crypto";

import { Redis } from "ioredis";

import { HoldEngine, LIMITS } from "../app/core/inventory/index.ts";
import { holdRequestCounterKey, saleInventoryKeys } from "../app/core/keys.ts";
import { createRedis, type RedisClient } from "../app/core/redis.ts";
import { Cleanup } from "./lib/cleanup.ts";
import { runTimedLoad, sleep } from "./lib/closedLoop.ts";
import { cpuBetween, sampleCpu } from "./lib/cpu.ts";
import { startPrivateRedis } from "./lib/privateRedis.ts";
import { runRedisBenchmark } from "./lib/redisBenchmark.ts";
import { commandStatsDelta, redisCommandStats, redisCpuSeconds } from "./lib/redisInfo.ts";
import { envInteger, envNumber, hostMetadata, writeResults } from "./lib/results.ts";
import { formatCount, formatTable, round } from "./lib/table.ts";
import { median } from "./lib/rounds.ts";
import { reserveCommand, scriptVariants, TTL_MS } from "./holds/reserveVariants.ts";

const concurrency = envInteger("BENCH_CONCURRENCY", 200, 1, 10_000);
const seconds = envNumber("BENCH_SECONDS", 5, 0.5, 600);
const warmupSeconds = envNumber("BENCH_WARMUP_SECONDS", 1, 0, 60);
const rounds = envInteger("BENCH_PROFILE_ROUNDS", 3, 1, 20);
const only = process.env.BENCH_PROFILE_ONLY?.trim() ? new RegExp(process.env.BENCH_PROFILE_ONLY.trim(), "i") : null;
const selected = <T extends { name: string }>(variants: T[]): T[] => (only ? variants.filter((variant) => only.test(variant.name)) : variants);
const runId = randomBytes(4).toString("hex");

function log(message: string): void {
  console.log(`[holds-profile] ${message}`);
}

async function main(): Promise<number> {
  const cleanup = new Cleanup();
  cleanup.handleSignals(log);
  const watchdog = setTimeout(
    () => {
      log("profile exceeded its time budget: cleaning up and aborting");
      void cleanup.runAll().then(() => process.exit(2));
    },
    (warmupSeconds + seconds) * 1_000 * 40 + 600_000,
  );
  watchdog.unref();
  try {
    const server = await startPrivateRedis();
    cleanup.add("stop private redis-server", () => server.stop());
    log(`private redis-server on ${server.url}; ${concurrency} clients, ${seconds} s per variant`);
    const admin = createRedis({ mode: "standalone", url: server.url });
    cleanup.add("close admin connection", () => admin.quit());

    // ---- Part A: server-side cost of each piece of reserve.lua ------------------------
    // Variants are interleaved over several rounds and summarised by their median, because
    // other tenants of this machine steal CPU in bursts.
    const variants = selected(scriptVariants());
    const samples = variants.map(() => ({
      usec: [] as number[],
      nested: [] as number[],
      rps: [] as number[],
      redisCpu: [] as number[],
      warnings: [] as string[],
    }));
    const shas = await Promise.all(variants.map(async (variant) => String(await admin.script("LOAD", variant.script))));
    variants.forEach((variant, index) => {
      if (shas[index] !== createHash("sha1").update(variant.script).digest("hex")) throw new Error(`SCRIPT LOAD of ${variant.name} returned an unexpected sha`);
    });
    const counterKey = `hfbench:{b:${runId}}:profile:counter`;
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      for (const [index, variant] of variants.entries()) {
        const sha = shas[index]!;
        const saleId = `bench-${runId}-a${roundIndex}-${index}`;
        const keys = [...Object.values(saleInventoryKeys(saleId)), holdRequestCounterKey(saleId, "-")];
        if (variant.shape === "sale") {
          await new HoldEngine(admin).defineSale(saleId, { perCustomerLimit: 0, items: [{ itemId: "hot", allocation: LIMITS.maxAllocation }] });
        } else {
          await admin.set(counterKey, 1_000_000_000_000);
        }
        // redis-benchmark does not seed its random generator, so every invocation gets its own
        // prefix or the timed run would replay the warm-up's request keys.
        const command = (run: string): string[] =>
          variant.shape === "sale" ? reserveCommand(sha, saleId, run, variant.reclaim, variant.perCall) : ["EVALSHA", sha, "1", counterKey, "1"];
        const common = { host: server.host, port: server.port, clients: concurrency, keyspace: 2_000_000_000 };
        const warmRequests = 10_000;
        const warm = await runRedisBenchmark({ ...common, command: command(`${roundIndex}.${index}w`), requests: warmRequests, timeoutMs: 60_000 });
        const requests = Math.max(10_000, Math.round(warm.rps * seconds));
        const before = await redisCommandStats(admin);
        const cpuBefore = await sampleCpu(() => redisCpuSeconds(admin));
        const result = await runRedisBenchmark({ ...common, command: command(`${roundIndex}.${index}t`), requests, timeoutMs: seconds * 6_000 + 30_000 });
        const cpuAfter = await sampleCpu(() => redisCpuSeconds(admin));
        const delta = commandStatsDelta(before, await redisCommandStats(admin), Math.floor(requests / 10));
        const evalsha = delta.find((entry) => entry.command === "evalsha");
        const sample = samples[index]!;
        sample.usec.push(evalsha ? evalsha.usecPerCall / variant.perCall : Number.NaN);
        sample.nested.push(delta.filter((entry) => entry.command !== "evalsha").reduce((sum, entry) => sum + entry.usec, 0) / (requests * variant.perCall));
        sample.rps.push(result.rps * variant.perCall);
        sample.redisCpu.push(cpuBetween(cpuBefore, cpuAfter).serverCpuPct ?? Number.NaN);
        if (variant.holds) {
          // Every request must have made a new hold (no replay of an earlier request key).
          const held = Number(await admin.hget(saleInventoryKeys(saleId).stock, "hot:held"));
          const expected = (warmRequests + requests) * variant.perCall;
          if (held !== expected) sample.warnings.push(`${held} units held after ${expected} requests`);
        }
        log(
          `A round ${roundIndex + 1}/${rounds} ${variant.name.trim()}: ${formatCount(result.rps * variant.perCall)} holds/s, ${evalsha?.usecPerCall ?? "?"} us/call in Redis`,
        );
        await admin.unlink(...keys, counterKey);
      }
    }
    const partA = variants.map((variant, index) => {
      const sample = samples[index]!;
      return {
        variant: variant.name,
        usecPerCallMedian: round(median(sample.usec), 2),
        usecPerCallMin: round(Math.min(...sample.usec), 2),
        nestedCommandsUsecMedian: round(median(sample.nested), 2),
        rpsMedian: Math.round(median(sample.rps)),
        redisCpuPctMedian: round(median(sample.redisCpu), 1),
        samples: { usecPerCall: sample.usec, rps: sample.rps.map(Math.round) },
        warnings: sample.warnings,
      };
    });

    // ---- Part B: the same reserve from Node under different client settings ------------
    const clientVariants = selected<{ name: string; connections: number; autoPipelining: boolean; reclaimBatch?: number; maxReserveBatch?: number }>([
      { name: "createRedis(): 1 connection, auto-pipelining, batches of up to 64 (as shipped)", connections: 1, autoPipelining: true },
      { name: "1 connection, auto-pipelining, one request per call (no batching)", connections: 1, autoPipelining: true, maxReserveBatch: 1 },
      { name: "1 connection, auto-pipelining off", connections: 1, autoPipelining: false },
      { name: "2 connections, auto-pipelining", connections: 2, autoPipelining: true },
      { name: "1 connection, batches of up to 16", connections: 1, autoPipelining: true, maxReserveBatch: 16 },
      { name: "1 connection, reclaimBatch 0", connections: 1, autoPipelining: true, reclaimBatch: 0 },
    ]);
    let saleCounter = 0;
    const freshSale = async (client: RedisClient): Promise<string> => {
      const saleId = `bench-${runId}-b${saleCounter++}`;
      await new HoldEngine(client).defineSale(saleId, { perCustomerLimit: 0, items: [{ itemId: "hot", allocation: LIMITS.maxAllocation }] });
      cleanup.add(`delete sale ${saleId}`, () => admin.unlink(...Object.values(saleInventoryKeys(saleId))));
      return saleId;
    };
    const bSamples = clientVariants.map(() => [] as Record<string, number>[]);
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      for (const [index, variant] of clientVariants.entries()) {
        const clients: RedisClient[] = Array.from(
          { length: variant.connections },
          () => new Redis(server.url, { enableAutoPipelining: variant.autoPipelining, maxRetriesPerRequest: 3 }),
        );
        try {
          const engines = clients.map(
            (client) =>
              new HoldEngine(client, {
                ...(variant.reclaimBatch === undefined ? {} : { reclaimBatch: variant.reclaimBatch }),
                ...(variant.maxReserveBatch === undefined ? {} : { maxReserveBatch: variant.maxReserveBatch }),
              }),
          );
          const saleId = await freshSale(admin);
          const keys = Object.values(saleInventoryKeys(saleId));
          const op = async (worker: number, seq: number): Promise<boolean> => {
            const result = await engines[worker % engines.length]!.reserve(saleId, {
              lines: [{ itemId: "hot", quantity: 1 }],
              customerId: `ct${worker}-${seq}`,
              requestId: `r${worker}-${seq}`,
              ttlMs: TTL_MS,
            });
            return result.outcome === "reserved";
          };
          const startSample = sleep(warmupSeconds * 1_000).then(() => sampleCpu(() => redisCpuSeconds(admin)));
          const endSample = sleep((warmupSeconds + seconds) * 1_000).then(() => sampleCpu(() => redisCpuSeconds(admin)));
          const load = await runTimedLoad(op, { concurrency, warmupMs: warmupSeconds * 1_000, durationMs: seconds * 1_000 });
          const cpu = cpuBetween(await startSample, await endSample);
          if (load.refused > 0) throw new Error(`${variant.name}: ${load.refused} holds refused`);
          const redisCpuPct = cpu.serverCpuPct ?? Number.NaN;
          const sample = {
            opsPerSec: load.opsPerSec,
            p50Ms: load.latency.percentileMs(50),
            p99Ms: load.latency.percentileMs(99),
            nodeCpuPct: cpu.nodeCpuPct,
            redisCpuPct,
            otherCpuPct: cpu.hostCpuPct === null ? Number.NaN : cpu.hostCpuPct - cpu.nodeCpuPct - redisCpuPct,
            nodeCpuUsecPerOp: ((cpu.nodeCpuPct / 100) * seconds * 1e6) / Math.max(1, load.ops),
            redisCpuUsecPerOp: ((redisCpuPct / 100) * seconds * 1e6) / Math.max(1, load.ops),
          };
          bSamples[index]!.push(sample);
          log(
            `B round ${roundIndex + 1}/${rounds} ${variant.name}: ${formatCount(sample.opsPerSec)}/s, Node CPU ${Math.round(sample.nodeCpuPct)}%,` +
              ` Redis CPU ${Math.round(redisCpuPct)}%, other processes ${Math.round(sample.otherCpuPct)}%`,
          );
          await admin.unlink(...keys);
        } finally {
          await Promise.all(clients.map((client) => client.quit().catch(() => undefined)));
        }
      }
    }
    const partB = clientVariants.map((variant, index) => {
      const list = bSamples[index]!;
      const med = (key: string): number => median(list.map((sample) => sample[key] ?? Number.NaN));
      return {
        variant: variant.name,
        opsPerSecMedian: Math.round(med("opsPerSec")),
        p50MsMedian: round(med("p50Ms"), 2),
        p99MsMedian: round(med("p99Ms"), 2),
        nodeCpuPctMedian: round(med("nodeCpuPct"), 1),
        redisCpuPctMedian: round(med("redisCpuPct"), 1),
        otherCpuPctMedian: round(med("otherCpuPct"), 1),
        nodeCpuUsecPerOpMedian: round(med("nodeCpuUsecPerOp"), 2),
        redisCpuUsecPerOpMedian: round(med("redisCpuUsecPerOp"), 2),
        samples: list.map((sample) => Object.fromEntries(Object.entries(sample).map(([key, value]) => [key, round(value, 2)]))),
      };
    });

    console.log("");
    console.log(
      formatTable(
        [
          `A: reserve.lua variant (redis-benchmark EVALSHA, median of ${rounds})`,
          "holds/s",
          "us/hold in Redis",
          "min us/hold",
          "nested cmds us/hold",
          "Redis CPU",
        ],
        partA.map((row) => [
          row.variant,
          formatCount(row.rpsMedian),
          row.usecPerCallMedian.toFixed(2),
          row.usecPerCallMin.toFixed(2),
          row.nestedCommandsUsecMedian.toFixed(2),
          `${row.redisCpuPctMedian}%`,
        ]),
      ),
    );
    console.log("");
    console.log(
      formatTable(
        [`B: HoldEngine.reserve() from Node (median of ${rounds})`, "ops/s", "p50 ms", "Node CPU", "Node us/op", "Redis CPU", "Redis us/op", "others CPU"],
        partB.map((row) => [
          row.variant,
          formatCount(row.opsPerSecMedian),
          row.p50MsMedian.toFixed(2),
          `${Math.round(row.nodeCpuPctMedian)}%`,
          row.nodeCpuUsecPerOpMedian.toFixed(1),
          `${Math.round(row.redisCpuPctMedian)}%`,
          row.redisCpuUsecPerOpMedian.toFixed(1),
          `${Math.round(row.otherCpuPctMedian)}%`,
        ]),
      ),
    );
    const path = writeResults("holds-profile", { ...hostMetadata(), runId, concurrency, secondsPerVariant: seconds, warmupSeconds, rounds, partA, partB });
    log(`wrote ${path}`);
    return 0;
  } finally {
    clearTimeout(watchdog);
    for (const failure of await cleanup.runAll()) log(`cleanup failed: ${failure}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

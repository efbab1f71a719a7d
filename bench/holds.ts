/**
 * Holds benchmark: five ways of holding stock of one hot item, measured in one run on the
 * same load shape (C concurrent clients, each waiting for its previous operation):
 *   1. Holdfast HoldEngine.reserve()            4. WooCommerce's ReserveStock on MariaDB
 *   2. Lua check-and-decrement sent with EVAL   5. redis-benchmark EVALSHA of that minimal
 *   3. PostgreSQL conditional UPDATE on a row      script: the ceiling for Redis itself
 * Each system gets a warm-up and a timed window with a huge allocation (nothing sells out),
 * then an oversell probe: allocation 1,000, 2,000 attempts from C clients. A diagnostic run
 * of the real reserve.lua through redis-benchmark shows the server-side limit of a reserve.
 * Prints a table and writes bench/results/holds.json.
 *
 * Env: BENCH_CONCURRENCY (200), BENCH_SECONDS (5, timed window per system and round),
 *      BENCH_WARMUP_SECONDS (1), BENCH_ROUNDS (1; more rounds interleave the systems and
 *      report medians, which steadies ratios on a noisy machine), BENCH_POOL_SIZE (64),
 *      BENCH_DIAGNOSTICS (1; 0 skips the reserve.lua run), REDIS_URL, BENCH_PG_URL, BENCH_MYSQL_URL.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";

import { Cleanup } from "./lib/cleanup.ts";
import { describeError } from "./lib/closedLoop.ts";
import { LatencyHistogram } from "./lib/histogram.ts";
import { envInteger, envNumber, hostMetadata, writeResults } from "./lib/results.ts";
import { formatCount, formatMs, formatTable, round } from "./lib/table.ts";
import { median } from "./lib/rounds.ts";
import { ceilingSystem, reserveScriptSystem } from "./holds/ceiling.ts";
import { evalEveryCallSystem } from "./holds/evalEveryCall.ts";
import { holdfastSystem } from "./holds/holdfast.ts";
import { inProcessRunner } from "./holds/inProcess.ts";
import { mariaDbSystem } from "./holds/mariadb.ts";
import { postgresSystem } from "./holds/postgres.ts";
import { PROBE_ALLOCATION, PROBE_ATTEMPTS, type BenchContext, type BenchSystem, type ProbeRun, type TimedRun } from "./holds/types.ts";

const concurrency = envInteger("BENCH_CONCURRENCY", 200, 1, 10_000);
const seconds = envNumber("BENCH_SECONDS", 5, 0.5, 600);
const warmupSeconds = envNumber("BENCH_WARMUP_SECONDS", 1, 0, 60);
const rounds = envInteger("BENCH_ROUNDS", 1, 1, 20);
const poolSize = envInteger("BENCH_POOL_SIZE", 64, 1, 1_000);
const diagnostics = process.env.BENCH_DIAGNOSTICS?.trim() !== "0";
const runId = randomBytes(4).toString("hex");
const startedAt = Date.now();

const NAMES = {
  holdfast: "holdfast-reserve",
  eval: "redis-eval-every-call",
  postgres: "postgres-row-lock",
  mariadb: "mariadb-woocommerce-reservestock",
  ceiling: "redis-benchmark-evalsha-ceiling",
} as const;
const DIAGNOSTIC = "diagnostic-reserve-lua-via-redis-benchmark";
const REDIS_SYSTEMS: readonly string[] = [NAMES.holdfast, NAMES.eval, NAMES.ceiling];

interface Row {
  system: string;
  opsPerSec: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  oversold: number | null;
}

interface Entry {
  name: string;
  system: BenchSystem | null;
  cleanup: Cleanup;
  setup: Record<string, unknown> | null;
  runs: TimedRun[];
  probe: ProbeRun | null;
  error: string | null;
}

function log(message: string): void {
  const elapsed = ((Date.now() - startedAt) / 1_000).toFixed(1).padStart(6);
  console.log(`[holds ${elapsed}s] ${message}`);
}

function ratio(numerator: number | null | undefined, denominator: number | null | undefined): number | null {
  if (!numerator || !denominator) return null;
  return round(numerator / denominator, 3);
}

/** ops/s: median over rounds. Latency: exact percentiles of all rounds merged when the runs kept their histograms. */
function summarise(runs: readonly TimedRun[]): { opsPerSec: number; p50Ms: number; p99Ms: number } {
  const histograms = runs.map((run) => run.latency);
  if (histograms.every((histogram) => histogram !== undefined)) {
    const merged = new LatencyHistogram();
    for (const histogram of histograms) merged.merge(histogram!);
    return { opsPerSec: median(runs.map((run) => run.opsPerSec)), p50Ms: merged.percentileMs(50), p99Ms: merged.percentileMs(99) };
  }
  return { opsPerSec: median(runs.map((run) => run.opsPerSec)), p50Ms: median(runs.map((run) => run.p50Ms)), p99Ms: median(runs.map((run) => run.p99Ms)) };
}

function cpuText(value: number | null | undefined): string {
  return value === null || value === undefined ? "?" : `${Math.round(value)}%`;
}

async function main(): Promise<number> {
  const globalCleanup = new Cleanup();
  globalCleanup.handleSignals(log);
  // Hard upper bound for the whole run, whatever hangs.
  const budgetMs = (warmupSeconds + seconds) * 1_000 * 8 * rounds + 600_000;
  const watchdog = setTimeout(() => {
    log(`run exceeded ${Math.round(budgetMs / 1_000)} s: cleaning up and aborting`);
    void globalCleanup.runAll().then(() => process.exit(2));
  }, budgetMs);
  watchdog.unref();

  const meta = hostMetadata();
  log(
    `run ${runId}: ${concurrency} clients, warm-up ${warmupSeconds} s + timed ${seconds} s per system and round, ${rounds} round(s),` +
      ` pool ${poolSize}, ${os.availableParallelism()} CPUs, node ${process.version}`,
  );

  const factories: [string, (context: BenchContext) => BenchSystem][] = [
    [NAMES.holdfast, (context) => inProcessRunner(holdfastSystem(context), context)],
    [NAMES.eval, (context) => inProcessRunner(evalEveryCallSystem(context), context)],
    [NAMES.postgres, (context) => inProcessRunner(postgresSystem(context), context)],
    [NAMES.mariadb, (context) => inProcessRunner(mariaDbSystem(context), context)],
    [NAMES.ceiling, ceilingSystem],
  ];
  if (diagnostics) factories.push([DIAGNOSTIC, reserveScriptSystem]);

  const entries: Entry[] = [];
  const fail = (entry: Entry, stage: string, error: unknown): void => {
    entry.error = `${stage}: ${describeError(error)}`;
    log(`${entry.name}: ERROR during ${entry.error}`);
  };

  // Set up every system once; each owns its cleanup steps.
  for (const [name, make] of factories) {
    const cleanup = new Cleanup();
    globalCleanup.add(`clean up ${name}`, () => cleanup.runAll());
    const entry: Entry = { name, system: null, cleanup, setup: null, runs: [], probe: null, error: null };
    entries.push(entry);
    try {
      const system = make({ runId, concurrency, poolSize, warmupSeconds, seconds, log, cleanup });
      if (system.name !== name) throw new Error(`system ${system.name} registered as ${name}`);
      entry.system = system;
      log(`${name}: setup`);
      entry.setup = await system.setup();
    } catch (error) {
      fail(entry, "setup", error);
    }
  }

  // Timed windows; with several rounds the order rotates so no system always goes first.
  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    const order = entries.map((_entry, index) => entries[(index + roundIndex) % entries.length]!);
    for (const entry of order) {
      if (!entry.system || entry.error) continue;
      const prefix = rounds > 1 ? `round ${roundIndex + 1}/${rounds} ` : "";
      log(`${prefix}${entry.name}: warm-up ${warmupSeconds} s, then timed ${seconds} s, ${concurrency} clients`);
      try {
        const run = await entry.system.timed(roundIndex);
        entry.runs.push(run);
        log(
          `${prefix}${entry.name}: ${formatCount(run.opsPerSec)} ops/s, p50 ${formatMs(run.p50Ms)} ms, p99 ${formatMs(run.p99Ms)} ms` +
            ` (CPU: client ${cpuText(run.cpu.clientCpuPct)}, server ${cpuText(run.cpu.serverCpuPct)}, other processes ${cpuText(run.cpu.otherCpuPct)})`,
        );
      } catch (error) {
        fail(entry, `timed run ${roundIndex + 1}`, error);
      }
    }
  }

  // Oversell probes, then each system's cleanup right away.
  for (const entry of entries) {
    if (entry.system?.probe && !entry.error) {
      log(`${entry.name}: oversell probe, allocation ${PROBE_ALLOCATION}, ${PROBE_ATTEMPTS} attempts from ${concurrency} clients`);
      try {
        const probe = await entry.system.probe();
        entry.probe = probe;
        const granted = probe.detail.succeeded === undefined ? "" : `granted ${String(probe.detail.succeeded)}/${PROBE_ATTEMPTS}, `;
        log(
          `${entry.name}: probe ${granted}final counter ${probe.finalCounter}, oversold ${probe.oversold},` +
            ` stored state ${probe.storedStateConsistent ? "consistent" : "INCONSISTENT"}`,
        );
      } catch (error) {
        fail(entry, "oversell probe", error);
      }
    }
  }
  const cleanupFailures: string[] = [];
  for (const entry of entries) {
    for (const failure of await entry.cleanup.runAll()) cleanupFailures.push(`${entry.name}: ${failure}`);
  }
  cleanupFailures.push(...(await globalCleanup.runAll()));
  clearTimeout(watchdog);

  // Rows in the documented order.
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  for (const entry of entries) {
    const summary = entry.runs.length > 0 && !entry.error ? summarise(entry.runs) : null;
    details[entry.name] = {
      description: entry.system?.description ?? null,
      error: entry.error,
      setup: entry.setup,
      rounds: entry.runs.map((run) => ({
        opsPerSec: Math.round(run.opsPerSec),
        p50Ms: round(run.p50Ms, 3),
        p99Ms: round(run.p99Ms, 3),
        cpu: run.cpu,
        ...run.extra,
        redisCommandStats: run.redisCommandStats,
      })),
      probe: entry.probe,
    };
    if (entry.name === DIAGNOSTIC) continue;
    rows.push({
      system: entry.name,
      opsPerSec: summary ? Math.round(summary.opsPerSec) : null,
      p50Ms: summary ? round(summary.p50Ms, 3) : null,
      p99Ms: summary ? round(summary.p99Ms, 3) : null,
      oversold: summary && entry.probe ? entry.probe.oversold : null,
    });
  }
  const ops = (name: string): number | null => rows.find((row) => row.system === name)?.opsPerSec ?? null;
  const holdfast = ops(NAMES.holdfast);
  const ratios = {
    vsPostgres: ratio(holdfast, ops(NAMES.postgres)),
    vsMariaDb: ratio(holdfast, ops(NAMES.mariadb)),
    vsRedisCeiling: ratio(holdfast, ops(NAMES.ceiling)),
    vsEvalEveryCall: ratio(holdfast, ops(NAMES.eval)),
  };
  // One figure per timed window from EVALSHA's statistics and the operations made, as the median.
  const perScriptCall = (name: string, figure: (evalsha: { calls: number; usec: number }, ops: number) => number, digits: number): number | null => {
    const values = (entries.find((entry) => entry.name === name)?.runs ?? []).flatMap((run) => {
      const evalsha = run.redisCommandStats?.find((stat) => stat.command === "evalsha");
      const ops = run.extra.ops ?? run.extra.requests;
      return evalsha && evalsha.calls > 0 && typeof ops === "number" && ops > 0 ? [figure(evalsha, ops)] : [];
    });
    return values.length > 0 ? round(median(values), digits) : null;
  };
  // Redis time per hold (EVALSHA's microseconds include the commands the script calls), against
  // the minimal script's per call.
  const scriptUsecPerOp = (name: string): number | null => perScriptCall(name, (evalsha, ops) => evalsha.usec / ops, 2);
  const redisUsecPerOp = { holdfast: scriptUsecPerOp(NAMES.holdfast), minimalScript: scriptUsecPerOp(NAMES.ceiling) };
  // Redis time per hold falls with the holds each reserve.lua call carries (its fixed work is
  // shared): the batch size reached says how far the figure above is batching's doing.
  const holdsPerScriptCall = perScriptCall(NAMES.holdfast, (evalsha, ops) => ops / evalsha.calls, 1);
  const reserveVsMinimal = ratio(redisUsecPerOp.holdfast, redisUsecPerOp.minimalScript);
  const redisRows = rows.filter((row) => REDIS_SYSTEMS.includes(row.system));
  const oversoldWhereRedis = redisRows.every((row) => row.oversold !== null) ? redisRows.reduce((sum, row) => sum + (row.oversold ?? 0), 0) : null;
  const goals = {
    vsPostgres: { target: ">= 10", value: ratios.vsPostgres, pass: ratios.vsPostgres !== null && ratios.vsPostgres >= 10 },
    vsMariaDb: { target: ">= 10", value: ratios.vsMariaDb, pass: ratios.vsMariaDb !== null && ratios.vsMariaDb >= 10 },
    vsRedisCeiling: { target: ">= 0.8", value: ratios.vsRedisCeiling, pass: ratios.vsRedisCeiling !== null && ratios.vsRedisCeiling >= 0.8 },
    reserveRedisTimeVsMinimalScript: { target: "<= 3", value: reserveVsMinimal, pass: reserveVsMinimal !== null && reserveVsMinimal <= 3 },
    zeroOversoldWhereRedisIsUsed: { target: "0", value: oversoldWhereRedis, pass: oversoldWhereRedis === 0 },
  };
  const diagnosticEntry = entries.find((entry) => entry.name === DIAGNOSTIC);
  const diagnosticOps =
    diagnosticEntry && diagnosticEntry.runs.length > 0 && !diagnosticEntry.error ? median(diagnosticEntry.runs.map((run) => run.opsPerSec)) : null;
  const diagnostic = diagnosticEntry
    ? {
        reserveScriptViaRedisBenchmarkOpsPerSec: diagnosticOps === null ? null : Math.round(diagnosticOps),
        holdfastOverReserveScriptCeiling: ratio(holdfast, diagnosticOps),
        reserveScriptCeilingOverMinimalCeiling: ratio(diagnosticOps, ops(NAMES.ceiling)),
        error: diagnosticEntry.error,
      }
    : null;

  const medianCpu = (name: string, key: string): number | null => {
    const values = (entries.find((entry) => entry.name === name)?.runs ?? [])
      .map((run) => run.cpu[key])
      .filter((value): value is number => typeof value === "number");
    return values.length > 0 ? median(values) : null;
  };
  const cpuCell = (name: string, key: string): string => {
    const value = medianCpu(name, key);
    return value === null ? "-" : `${Math.round(value)}%`;
  };
  console.log("");
  console.log(
    formatTable(
      ["system", "ops/s", "p50 ms", "p99 ms", "oversold", "client CPU", "server CPU", "others CPU"],
      rows.map((row) => [
        row.system,
        row.opsPerSec === null ? "ERROR" : formatCount(row.opsPerSec),
        row.p50Ms === null ? "-" : formatMs(row.p50Ms),
        row.p99Ms === null ? "-" : formatMs(row.p99Ms),
        row.oversold === null ? "-" : String(row.oversold),
        cpuCell(row.system, "clientCpuPct"),
        cpuCell(row.system, "serverCpuPct"),
        cpuCell(row.system, "otherCpuPct"),
      ]),
    ),
  );
  console.log(
    "CPU in % of one core over the timed window: client = this Node process (redis-benchmark for the ceiling), server = Redis / PostgreSQL / MariaDB, others = rest of the host",
  );
  console.log("");
  const ratioCell = (value: number | null): string => (value === null ? "-" : `${value.toFixed(2)}x`);
  const passCell = (pass: boolean, value: unknown): string => (value === null ? "n/a" : pass ? "pass" : "MISS");
  console.log(
    formatTable(
      ["goal", "value", "target", "result"],
      [
        ["holdfast / postgres", ratioCell(ratios.vsPostgres), ">= 10x", passCell(goals.vsPostgres.pass, ratios.vsPostgres)],
        ["holdfast / mariadb (WooCommerce)", ratioCell(ratios.vsMariaDb), ">= 10x", passCell(goals.vsMariaDb.pass, ratios.vsMariaDb)],
        ["holdfast / redis-benchmark ceiling", ratioCell(ratios.vsRedisCeiling), ">= 0.8x", passCell(goals.vsRedisCeiling.pass, ratios.vsRedisCeiling)],
        [
          `Redis time per hold / minimal script's (${redisUsecPerOp.holdfast ?? "-"} / ${redisUsecPerOp.minimalScript ?? "-"} us)`,
          ratioCell(reserveVsMinimal),
          "<= 3x",
          passCell(goals.reserveRedisTimeVsMinimalScript.pass, reserveVsMinimal),
        ],
        ["holds per reserve.lua call (batch size reached)", holdsPerScriptCall === null ? "-" : String(holdsPerScriptCall), "(info)", "-"],
        ["holdfast / EVAL every call", ratioCell(ratios.vsEvalEveryCall), "(info)", "-"],
        [
          "oversold where Redis is used",
          oversoldWhereRedis === null ? "-" : String(oversoldWhereRedis),
          "0",
          passCell(goals.zeroOversoldWhereRedisIsUsed.pass, oversoldWhereRedis),
        ],
      ],
    ),
  );
  if (diagnostic?.reserveScriptViaRedisBenchmarkOpsPerSec) {
    console.log("");
    console.log(
      `diagnostic: the real reserve.lua through redis-benchmark: ${formatCount(diagnostic.reserveScriptViaRedisBenchmarkOpsPerSec)} ops/s` +
        ` (${ratioCell(diagnostic.reserveScriptCeilingOverMinimalCeiling)} of the minimal script); Holdfast through Node reaches ${ratioCell(diagnostic.holdfastOverReserveScriptCeiling)} of it`,
    );
  }

  const errors = Object.fromEntries(entries.filter((entry) => entry.error && entry.name !== DIAGNOSTIC).map((entry) => [entry.name, entry.error]));
  const path = writeResults("holds", {
    rows,
    ratios,
    redisUsecPerOp,
    holdsPerScriptCall,
    goals,
    errors,
    cleanupFailures,
    runId,
    ...meta,
    loadAverageAtEnd: os.loadavg().map((load) => round(load, 2)),
    concurrency,
    warmupSeconds,
    timedSecondsPerSystem: seconds,
    rounds,
    poolSize,
    probe: { allocation: PROBE_ALLOCATION, attempts: PROBE_ATTEMPTS },
    notes: [
      "opsPerSec: operations completed in the timed window / window length (median over rounds); p50/p99: per-operation latency seen by the caller, including client-side queueing (all rounds merged; redis-benchmark: median of its own percentiles)",
      "systems 1-4 run in this Node process (closed loop, one op at a time per client); system 5 is redis-benchmark, a C client in its own process, without pipelining",
      "Redis runs without AOF here; PostgreSQL and MariaDB commit durably (see setup settings): the comparison includes that difference",
      "the machine is shared and noisy (see otherCpuPct): compare ratios within one run, not absolute figures across runs",
    ],
    diagnostic,
    details,
  });
  log(`wrote ${path}`);
  for (const failure of cleanupFailures) log(`cleanup failed: ${failure}`);
  return Object.keys(errors).length > 0 || cleanupFailures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

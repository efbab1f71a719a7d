/**
 * What a reserve costs Redis, counted in CPU instructions (`npm run bench:reserve-cost`).
 * Time figures wander on a shared machine (other tenants, clock speed); instruction counts
 * do not, so this is the figure to compare two versions of reserve.lua with while other work
 * runs. Each variant (bench/holds/reserveVariants.ts: the shipped script, the script with
 * one piece removed, the minimal check-and-decrement script) runs in a redis-server of its
 * own under valgrind's callgrind, counting only inside evalGenericCommand: the script and
 * the commands it calls, not the network or the event loop (what INFO commandstats times).
 * Issue #15's goal, reserve's Redis time per hold <= 3x the minimal script's, is read here in
 * instructions; bench:holds measures it in time.
 *
 * The counted calls start after 1,000 holds (BENCH_COST_WARMUP_HOLDS): Redis keeps a hash of up
 * to 512 fields (hash-max-listpack-entries) as a list that every lookup scans, and a sale's
 * holds, customers and requests hashes pass that size within its first 512 holds, so earlier
 * calls would price the scan of a young sale instead of the steady state of a drop.
 *
 * Env: BENCH_COST_CALLS (300 counted calls per variant), BENCH_COST_WARMUP_HOLDS (1000),
 *      BENCH_PROFILE_ONLY (a case-insensitive pattern of variant names, as in holdsProfile),
 *      BENCH_COST_ANNOTATE (0; N prints each variant's N costliest functions, by callgrind_annotate).
 * Needs valgrind (Debian package `valgrind`). Prints a table, writes bench/results/reserve-cost.json.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { Redis } from "ioredis";

import { HoldEngine, LIMITS } from "../app/core/inventory/index.ts";
import { saleInventoryKeys } from "../app/core/keys.ts";
import { sleep } from "./lib/closedLoop.ts";
import { startPrivateRedis } from "./lib/privateRedis.ts";
import { envInteger, hostMetadata, writeResults } from "./lib/results.ts";
import { formatCount, formatTable, round } from "./lib/table.ts";
import { reserveCommand, scriptVariants, type ScriptVariant } from "./holds/reserveVariants.ts";

const run = promisify(execFile);
const calls = envInteger("BENCH_COST_CALLS", 300, 10, 100_000);
const warmupHolds = envInteger("BENCH_COST_WARMUP_HOLDS", 1_000, 1, 1_000_000);
const annotate = envInteger("BENCH_COST_ANNOTATE", 0, 0, 1_000);
const only = process.env.BENCH_PROFILE_ONLY?.trim() ? new RegExp(process.env.BENCH_PROFILE_ONLY.trim(), "i") : null;
const MINIMAL = "minimal check-and-decrement (the ceiling script)";
const SALE = "cost";
const COUNTER_KEY = "cost:counter";

function log(message: string): void {
  console.log(`[reserve-cost] ${message}`);
}

interface Measured {
  variant: string;
  holdsPerCall: number;
  instructionsPerCall: number;
  instructionsPerHold: number;
}

/** A redis-server under callgrind that counts instructions inside script calls only. */
async function startCountedRedis(directory: string): Promise<{ redis: Redis; dump(): Promise<{ instructions: number; file: string }>; stop(): Promise<void> }> {
  const server = await startPrivateRedis({
    launcher: ["valgrind", "--tool=callgrind", "--toggle-collect=evalGenericCommand", `--callgrind-out-file=${join(directory, "callgrind.out")}`],
    directory,
    startTimeoutMs: 60_000,
  }).catch((error: unknown) => {
    throw new Error(`redis-server under valgrind did not answer (is the Debian package valgrind installed?): ${String(error)}`);
  });
  const redis = new Redis(server.url, { maxRetriesPerRequest: 0 });
  let dumps = 0;
  return {
    redis,
    // Each dump holds the counts since the previous one: dump after the warm-up, then after the measured calls.
    async dump() {
      await run("callgrind_control", ["--dump", String(server.pid)]);
      dumps += 1;
      const file = join(directory, `callgrind.out.${dumps}`);
      for (let attempt = 0; attempt < 100 && !readdirSync(directory).includes(`callgrind.out.${dumps}`); attempt++) await sleep(50);
      const totals = /^totals:\s*(\d+)/m.exec(readFileSync(file, "utf8"));
      if (!totals?.[1]) throw new Error(`${file} has no totals line`);
      return { instructions: Number(totals[1]), file };
    },
    async stop() {
      redis.disconnect();
      await server.stop();
    },
  };
}

/** Sends `count` calls of the variant, each request with ids never used before. */
async function sendCalls(redis: Redis, sha: string, variant: ScriptVariant, count: number, firstCall: number): Promise<void> {
  const inFlight: Promise<unknown>[] = [];
  for (let call = firstCall; call < firstCall + count; call++) {
    const unique = String(call).padStart(12, "0");
    const [command, ...args] =
      variant.shape === "sale"
        ? reserveCommand(sha, SALE, "c", variant.reclaim, variant.perCall).map((arg) => arg.replaceAll("__rand_int__", unique))
        : ["EVALSHA", sha, "1", COUNTER_KEY, "1"];
    inFlight.push(redis.call(command!, ...args));
    if (inFlight.length >= 50) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
}

async function measure(variant: ScriptVariant): Promise<Measured> {
  const directory = mkdtempSync(join(tmpdir(), "holdfast-reserve-cost-"));
  const server = await startCountedRedis(directory);
  const warmupCalls = Math.ceil(warmupHolds / variant.perCall);
  try {
    const sha = String(await server.redis.script("LOAD", variant.script));
    if (variant.shape === "sale") {
      await new HoldEngine(server.redis).defineSale(SALE, { perCustomerLimit: 0, items: [{ itemId: "hot", allocation: LIMITS.maxAllocation }] });
    } else {
      await server.redis.set(COUNTER_KEY, 1_000_000_000_000);
    }
    await sendCalls(server.redis, sha, variant, warmupCalls, 0);
    // callgrind names no functions in a dump that follows an earlier dump or a zeroing, so an
    // annotated run counts from the start: the warm-up calls (and one defineSale) are included.
    if (annotate === 0) await server.dump();
    await sendCalls(server.redis, sha, variant, calls, warmupCalls);
    const dumped = await server.dump();
    const file = dumped.file;
    const counted = annotate === 0 ? calls : warmupCalls + calls;
    const instructions = (dumped.instructions / counted) * calls;
    if (annotate > 0) {
      const { stdout } = await run("callgrind_annotate", ["--inclusive=no", file], { maxBuffer: 64 * 2 ** 20 });
      const table = stdout.split("\n").filter((line) => /^\s*[\d,]+ \(/.test(line));
      console.log(table.slice(0, annotate).join("\n"));
    }
    if (variant.holds) {
      // Every request must have made a new hold, or the count priced replays instead of holds.
      const held = Number(await server.redis.hget(saleInventoryKeys(SALE).stock, "hot:held"));
      const expected = (warmupCalls + calls) * variant.perCall;
      if (held !== expected) throw new Error(`${variant.name.trim()}: ${held} units held after ${expected} requests`);
    }
    return {
      variant: variant.name,
      holdsPerCall: variant.perCall,
      instructionsPerCall: Math.round(instructions / calls),
      instructionsPerHold: Math.round(instructions / (calls * variant.perCall)),
    };
  } finally {
    await server.stop();
    // An annotated run keeps its profiles for callgrind_annotate --tree=caller and the like.
    if (annotate === 0) rmSync(directory, { recursive: true, force: true });
    else log(`profile kept in ${directory}`);
  }
}

async function main(): Promise<void> {
  const variants = scriptVariants().filter((variant) => !only || only.test(variant.name) || variant.name === MINIMAL);
  const rows: Measured[] = [];
  for (const [index, variant] of variants.entries()) {
    log(`${index + 1}/${variants.length} ${variant.name.trim()}: ${Math.ceil(warmupHolds / variant.perCall)} warm-up + ${calls} counted calls under callgrind`);
    rows.push(await measure(variant));
  }
  const minimal = rows.find((row) => row.variant === MINIMAL)!.instructionsPerHold;
  console.log("");
  console.log(
    formatTable(
      ["reserve.lua variant (instructions inside script calls)", "per call", "per hold", "x minimal script"],
      rows.map((row) => [
        row.variant,
        formatCount(row.instructionsPerCall),
        formatCount(row.instructionsPerHold),
        `${round(row.instructionsPerHold / minimal, 2)}x`,
      ]),
    ),
  );
  const path = writeResults("reserve-cost", {
    host: hostMetadata(),
    settings: { calls, warmupHolds, only: only?.source ?? null },
    minimalScriptInstructionsPerCall: minimal,
    rows: rows.map((row) => ({ ...row, timesMinimal: round(row.instructionsPerHold / minimal, 3) })),
  });
  log(`wrote ${path}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

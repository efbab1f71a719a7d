import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const RESULTS_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), "..", "results");

/** Writes `bench/results/<name>.json` (pretty, trailing newline) and returns its path. */
export function writeResults(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIRECTORY, { recursive: true });
  const path = join(RESULTS_DIRECTORY, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

/** BENCH_RESULTS_NAME when it is a safe file name (tests write results of their own), else `fallback`. */
export function resultsNameFromEnv(fallback: string): string {
  const name = process.env.BENCH_RESULTS_NAME?.trim() ?? "";
  return /^[a-z0-9-]{1,64}$/.test(name) ? name : fallback;
}

/** Facts about the machine that every benchmark records next to its figures. */
export function hostMetadata(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    hostCpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? "unknown",
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

/** Positive integer from the environment, or the default. */
export function envInteger(name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** Positive number (fractions allowed) from the environment, or the default. */
export function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** A comma-separated choice among `allowed` from the environment, or the default. */
export function envChoices<T extends string>(name: string, fallback: readonly T[], allowed: readonly T[]): T[] {
  const raw = process.env[name]?.trim();
  if (!raw) return [...fallback];
  const chosen = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of chosen)
    if (!(allowed as readonly string[]).includes(entry)) throw new Error(`${name}: unknown "${entry}" (choose from ${allowed.join(", ")})`);
  return chosen as T[];
}

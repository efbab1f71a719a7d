import { spawn } from "node:child_process";

import { processCpuSeconds } from "./cpu.ts";

export interface RedisBenchmarkOptions {
  host: string;
  port: number;
  clients: number;
  requests: number;
  /** The command and its arguments, e.g. ["EVALSHA", sha, "1", key, "1"]. */
  command: readonly string[];
  /** Passed as -r; enables __rand_int__ substitution in arguments. */
  keyspace?: number;
  timeoutMs: number;
  password?: string;
  db?: number;
}

export interface RedisBenchmarkResult {
  rps: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU seconds the redis-benchmark process used (sampled from /proc shortly before it exited). */
  clientCpuSeconds: number | null;
  wallMs: number;
  csv: string;
}

/**
 * Runs `redis-benchmark --csv` for one command and parses its result line. Redis 7's csv
 * header is "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",
 * "p95_latency_ms","p99_latency_ms","max_latency_ms".
 */
export async function runRedisBenchmark(options: RedisBenchmarkOptions): Promise<RedisBenchmarkResult> {
  const args = ["-h", options.host, "-p", String(options.port), "-c", String(options.clients), "-n", String(options.requests), "--csv"];
  if (options.keyspace !== undefined) args.push("-r", String(options.keyspace));
  if (options.db !== undefined) args.push("--dbnum", String(options.db));
  const env = { ...process.env };
  // Keeps the password off the command line (visible in ps) when there is one.
  if (options.password) env.REDISCLI_AUTH = options.password;
  args.push(...options.command);

  const started = process.hrtime.bigint();
  const child = spawn("redis-benchmark", args, { stdio: ["ignore", "pipe", "pipe"], env });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  let clientCpuSeconds: number | null = null;
  const sampler = setInterval(() => {
    if (child.pid !== undefined) clientCpuSeconds = processCpuSeconds(child.pid) ?? clientCpuSeconds;
  }, 100);
  let timer: NodeJS.Timeout | undefined;
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (exitCode) => resolve(exitCode));
      timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`redis-benchmark did not finish within ${Math.round(options.timeoutMs / 1_000)} s`));
      }, options.timeoutMs);
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    // redis-benchmark reports a server error on stdout/stderr and may still exit 0 with no result row.
    if (code !== 0 || /error/i.test(stderr) || /Error from server/i.test(stdout)) {
      throw new Error(`redis-benchmark exited ${code}: ${(stderr || stdout).trim().slice(0, 500)}`);
    }
    return { ...parseCsv(stdout), clientCpuSeconds, wallMs, csv: stdout.trim() };
  } finally {
    clearInterval(sampler);
    clearTimeout(timer);
  }
}

function parseCsv(csv: string): { rps: number; avgMs: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const lines = csv
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.startsWith('"'));
  const header = splitCsvLine(lines[0] ?? "");
  const row = splitCsvLine(lines[lines.length - 1] ?? "");
  if (lines.length < 2 || header.length !== row.length) throw new Error(`unexpected redis-benchmark csv output: ${csv.slice(0, 300)}`);
  const column = (name: string): number => {
    const index = header.indexOf(name);
    const value = Number(row[index]);
    if (index < 0 || !Number.isFinite(value)) throw new Error(`redis-benchmark csv has no numeric "${name}" column: ${csv.slice(0, 300)}`);
    return value;
  };
  return {
    rps: column("rps"),
    avgMs: column("avg_latency_ms"),
    p50Ms: column("p50_latency_ms"),
    p99Ms: column("p99_latency_ms"),
    maxMs: column("max_latency_ms"),
  };
}

function splitCsvLine(line: string): string[] {
  return [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((match) => (match[1] ?? "").replace(/""/g, '"'));
}

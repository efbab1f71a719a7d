import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

import { RESULTS_DIRECTORY } from "../../bench/lib/results.ts";
import { ROOT } from "../db/databases.ts";

/**
 * Runs a benchmark script (`bench/<name>.ts`, as its npm script does) with `env` over this
 * process's environment and answers the JSON it wrote. The results go to a file of the run's
 * own (BENCH_RESULTS_NAME), removed afterwards, so a test never replaces the real figures.
 */
export async function runBenchmark<T>(script: string, env: Record<string, string>, timeoutMs: number): Promise<T> {
  const name = `test-${randomBytes(4).toString("hex")}`;
  const file = join(RESULTS_DIRECTORY, `${name}.json`);
  try {
    await promisify(execFile)(process.execPath, ["--import", "tsx", script], {
      cwd: ROOT,
      env: { ...process.env, ...env, BENCH_RESULTS_NAME: name },
      timeout: timeoutMs,
    });
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } finally {
    rmSync(file, { force: true });
  }
}

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
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: unknown) => {
      // A bench logs on stdout: without its last lines a failed run would not say why.
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n--- the bench's last output ---\n${lastLines(stdout)}\n${lastLines(stderr)}`,
        {
          cause: error,
        },
      );
    });
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } finally {
    rmSync(file, { force: true });
  }
}

function lastLines(text: string | undefined, count = 40): string {
  return (text ?? "").trimEnd().split("\n").slice(-count).join("\n");
}

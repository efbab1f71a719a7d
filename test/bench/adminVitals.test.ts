import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { afterAll, describe, expect, it } from "vitest";

// `npm run bench:vitals` as a developer runs it, with one round per page: the real command, a
// production build of its own, headless Chromium. Checks that every figure is there, not its
// value (the machine is shared, and the figures are the benchmark's to report).

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RUN = randomBytes(4).toString("hex");
// Inside the project (gitignored), so the server bundle resolves node_modules like build/ does.
const BUILD_DIRECTORY = `${ROOT}.cache/vitals-build-${RUN}`;
const RESULT = `adminVitals-test-${RUN}`;
const RESULT_FILE = `${ROOT}bench/results/${RESULT}.json`;

afterAll(() => {
  rmSync(BUILD_DIRECTORY, { recursive: true, force: true });
  rmSync(RESULT_FILE, { force: true });
});

function runBenchmark(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/adminVitals.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        BENCH_VITALS_ROUNDS: "1",
        BENCH_VITALS_BUILD_DIR: BUILD_DIRECTORY,
        BENCH_VITALS_RESULT: RESULT,
        BENCH_VITALS_TIMEOUT_MS: "120000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

const figure = expect.any(Number);

describe("npm run bench:vitals", () => {
  it("measures LCP, CLS and INP of the drops list, the editor and the dashboard, and the widget's weight, into a table and JSON", async () => {
    const run = await runBenchmark();
    expect(run.code, run.stderr).toBe(0);
    for (const page of ["drops list", "drop editor", "live dashboard"]) expect(run.stdout).toContain(page);
    expect(run.stdout).toMatch(/LCP ms.*CLS.*INP ms/);

    const result = JSON.parse(readFileSync(RESULT_FILE, "utf8")) as {
      goals: unknown;
      pages: { page: string; rounds: unknown[]; p75: Record<string, number>; meetsGoals: Record<string, boolean> }[];
      widget: { assets: { asset: string }[]; total: Record<string, number> };
    };
    expect(result.goals).toEqual({ lcpMs: 2_500, cls: 0.1, inpMs: 200 });
    expect(result.pages.map((page) => page.page)).toEqual(["drops list", "drop editor", "live dashboard"]);
    for (const page of result.pages) {
      expect(page.rounds).toHaveLength(1);
      expect(page.p75).toEqual({ lcpMs: figure, cls: figure, inpMs: figure });
      for (const value of Object.values(page.p75)) expect(Number.isFinite(value), `${page.page}: ${JSON.stringify(page.p75)}`).toBe(true);
      expect(page.meetsGoals).toEqual({ lcp: expect.any(Boolean), cls: expect.any(Boolean), inp: expect.any(Boolean) });
    }
    expect(result.widget.assets.map((asset) => asset.asset).sort()).toEqual(["holdfast-waiting-room.css", "holdfast-waiting-room.js"]);
    expect(result.widget.total).toEqual({ rawBytes: figure, gzipBytes: figure, brotliBytes: figure });
  }, 900_000);
});

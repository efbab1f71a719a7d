// `npm run bench:soak` cut down to seconds: it samples every window and writes its verdict.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

import { afterAll, expect, it } from "vitest";

import { RESULTS_DIRECTORY } from "../../bench/lib/results.ts";
import type { SoakSample, SoakTrend } from "../../bench/soak.ts";
import { ROOT } from "../db/databases.ts";

const name = `soak-test-${randomBytes(4).toString("hex")}`;
afterAll(() => rmSync(join(RESULTS_DIRECTORY, `${name}.json`), { force: true }));

it("samples req/s, latency, RSS and heap per window and fits a slope to each", { timeout: 180_000 }, async () => {
  const env = {
    ...process.env,
    BENCH_SOAK_SECONDS: "3",
    BENCH_SOAK_SAMPLE_SECONDS: "1",
    BENCH_WARMUP_SECONDS: "0",
    BENCH_CONNECTIONS: "4",
    BENCH_RESULTS_NAME: name,
  };
  await promisify(execFile)(process.execPath, ["--import", "tsx", "bench/soak.ts"], { cwd: ROOT, env, timeout: 170_000 });
  const results = JSON.parse(readFileSync(join(RESULTS_DIRECTORY, `${name}.json`), "utf8")) as { samples: SoakSample[]; trends: SoakTrend[]; flat: boolean };
  expect(results.samples).toHaveLength(3);
  for (const sample of results.samples) {
    expect(sample).toMatchObject({ non2xx: 0, errors: 0 });
    expect(sample.requestsPerSec).toBeGreaterThan(0);
    expect(sample.rssMb).toBeGreaterThan(sample.heapUsedMb);
    expect(sample.heapUsedMb).toBeGreaterThan(0);
  }
  expect(results.trends.map((t) => t.figure)).toEqual(["rssMb", "heapUsedMb", "p50Ms", "p99Ms", "requestsPerSec"]);
  expect(results.flat).toBe(results.trends.every((t) => t.flat));
});

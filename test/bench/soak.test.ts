// `npm run bench:soak` cut down to seconds: it samples every window and writes its verdict.
import { expect, it } from "vitest";

import type { SoakSample, SoakTrend } from "../../bench/soak.ts";
import { runBenchmark } from "../support/benchRun.ts";

it("samples req/s, latency, RSS and heap per window and fits a slope to each", { timeout: 180_000 }, async () => {
  const env = {
    BENCH_SOAK_SECONDS: "3",
    BENCH_SOAK_SAMPLE_SECONDS: "1",
    BENCH_WARMUP_SECONDS: "0",
    BENCH_CONNECTIONS: "4",
  };
  const results = await runBenchmark<{ samples: SoakSample[]; trends: SoakTrend[]; flat: boolean }>("bench/soak.ts", env, 170_000);
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

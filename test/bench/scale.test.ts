// `npm run bench:scale` with tiny settings: it runs end to end (1 and 2 web processes behind one
// port, standalone Redis and a private cluster) and writes the JSON the README's tables come from.
import { expect, it } from "vitest";

import type { ScaleCase, ScaleRatio } from "../../bench/scale.ts";
import { runBenchmark } from "../support/benchRun.ts";

it("measures 1 and 2 web processes on standalone Redis and on a cluster, and writes the ratios", { timeout: 240_000 }, async () => {
  const env = {
    BENCH_SECONDS: "1",
    BENCH_WARMUP_SECONDS: "0",
    BENCH_CONNECTIONS: "4",
    BENCH_ROWS: "holds",
    BENCH_ROUNDS: "2",
  };
  const results = await runBenchmark<{ cases: ScaleCase[]; ratios: ScaleRatio[] }>("bench/scale.ts", env, 230_000);
  expect(results.cases.map((c) => `${c.redis}/${c.processes}/${c.row}`)).toEqual([
    "standalone/1/holds",
    "standalone/2/holds",
    "cluster/1/holds",
    "cluster/2/holds",
  ]);
  for (const c of results.cases) {
    expect(c.responses, `${c.redis}/${c.processes}`).toBeGreaterThan(0);
    expect(c.roundsRequestsPerSec).toHaveLength(2);
    expect({ non2xx: c.non2xx, errors: c.errors }).toEqual({ non2xx: 0, errors: 0 });
    expect(c.p99Ms).toBeGreaterThanOrEqual(c.p50Ms);
  }
  expect(results.ratios.map((r) => r.compares)).toEqual([
    "2/1 processes on standalone",
    "2/1 processes on cluster",
    "cluster/standalone with 1 process(es)",
    "cluster/standalone with 2 process(es)",
  ]);
  for (const ratio of results.ratios) expect(ratio.ratio).toBeGreaterThan(0);
});

// `npm run bench:storefront` on each load generator (BENCH_LOADGEN=wrk, autocannon) with tiny
// settings: every row's requests reach the real app and answer 2xx, the generator's CPU is
// counted (wrk runs as a child of its driver process, so only its reaped time shows), and
// each server reports its own view of the timed window (serverWindow.ts), in which it accepted
// no connection: the generator's connections are all open before the timed requests start
// (wrk holds each first request back; autocannon keeps its warm-up's connections).
import { expect, it } from "vitest";

import { runBenchmark } from "../support/benchRun.ts";

interface Row {
  endpoint: string;
  responses: number;
  non2xx: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  okSample: { status: number; body: string } | null;
  cpuMicrosPerRequest: { loadgen: number | null };
  rounds: { serverWindow: { responses: number; connectionsAccepted: number } }[];
}

it.each(["wrk", "autocannon"])(
  "drives the ceiling, status, join and holds rows with %s, counts its CPU and has each server time its own window",
  { timeout: 240_000 },
  async (generator) => {
    const results = await runBenchmark<{ rows: Row[]; config: { loadGenerator: string } }>(
      "bench/storefront.ts",
      {
        BENCH_LOADGEN: generator,
        BENCH_SECONDS: "1",
        // Each row starts a fresh app process; under a busy full suite its first requests can take
        // over a second (one CI run saw the holds row answer nothing in a 1 s warm-up + 1 s window).
        BENCH_WARMUP_SECONDS: "2",
        BENCH_CONNECTIONS: "8",
        BENCH_ROUNDS: "1",
        BENCH_MEMORY: "0",
        BENCH_STATUS_TICKETS: "20",
        BENCH_QUIET_WAIT_SECONDS: "0",
        BENCH_NOISY_RETRIES: "0",
      },
      230_000,
    );
    expect(results.config.loadGenerator).toMatch(new RegExp(`^${generator}`));
    expect(results.rows.map((row) => row.endpoint)).toEqual(["ceiling", "status", "join", "holds"]);
    for (const row of results.rows) {
      expect(row.responses, row.endpoint).toBeGreaterThan(0);
      expect({ endpoint: row.endpoint, non2xx: row.non2xx, errors: row.errors }).toEqual({ endpoint: row.endpoint, non2xx: 0, errors: 0 });
      expect(row.p99Ms, row.endpoint).toBeGreaterThanOrEqual(row.p50Ms);
      expect(row.okSample?.status, row.endpoint).toBeGreaterThanOrEqual(200);
      expect(row.cpuMicrosPerRequest.loadgen, row.endpoint).toBeGreaterThan(0);
      // The server's window opens as the timed run starts and closes after it: it saw (nearly)
      // every timed response; the margin is what finished before the start line was read.
      expect(row.rounds[0]?.serverWindow.responses, row.endpoint).toBeGreaterThanOrEqual(row.responses * 0.8);
      // A connection accepted inside the window would put its set-up into the timed latency.
      expect(row.rounds[0]?.serverWindow.connectionsAccepted, row.endpoint).toBe(0);
    }
    expect(results.rows.find((row) => row.endpoint === "join")?.okSample?.body).toContain('"ticket"');
    expect(results.rows.find((row) => row.endpoint === "holds")?.okSample?.body).toContain('"holdId"');
  },
);

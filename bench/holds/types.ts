import type { Cleanup } from "../lib/cleanup.ts";
import type { Operation, TransientErrorTest } from "../lib/closedLoop.ts";
import type { LatencyHistogram } from "../lib/histogram.ts";
import type { CommandStat, CommandStatDelta } from "../lib/redisInfo.ts";

/** What every system of the holds benchmark gets. */
export interface BenchContext {
  runId: string;
  concurrency: number;
  poolSize: number;
  warmupSeconds: number;
  seconds: number;
  log: (message: string) => void;
  /** Undo steps for this system; run right after it finishes (and on failure or signal). */
  cleanup: Cleanup;
}

/** The stored state after an oversell probe, read back from the system itself. */
export interface ProbeState {
  /** Units the store still says are available (must be >= 0). */
  finalCounter: number;
  /** Every internal cross-check of the store passed (e.g. available + held + sold == allocated). */
  consistent: boolean;
  detail: Record<string, unknown>;
}

/** A system driven by closed-loop workers in this process. */
export interface InProcessSystem {
  kind: "in-process";
  name: string;
  description: string;
  /** Creates databases, tables, keys; registers their removal; returns facts for the report. */
  setup(): Promise<Record<string, unknown>>;
  /**
   * Runs before each warm-up + timed window, so every round starts from the same state
   * (e.g. WooCommerce's reservations table, whose size drives its cost); returns facts for the report.
   */
  beforeTimed?(): Promise<Record<string, unknown>>;
  /** One 1-unit hold of the hot item (never sells out during the timed window). */
  throughputOp: Operation;
  /** One 1-unit hold of the probe item (allocation = the probe allocation). */
  probeOp: Operation;
  readProbeState(successes: number): Promise<ProbeState>;
  isTransient?: TransientErrorTest;
  /** CPU seconds of the server so far, for a CPU split. */
  serverCpuSeconds?: () => Promise<number | null>;
  /** Redis only: command statistics, to show what one operation costs inside the server. */
  commandStats?: () => Promise<Map<string, CommandStat>>;
}

export const PROBE_ALLOCATION = 1_000;
export const PROBE_ATTEMPTS = 2_000;

/** One warm-up plus timed window of a system. */
export interface TimedRun {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** In-process systems: the raw latencies, so rounds can be merged exactly. */
  latency?: LatencyHistogram;
  /** CPU in % of one core: client (this process or redis-benchmark), server, host, others. */
  cpu: Record<string, number | null>;
  redisCommandStats: CommandStatDelta[] | null;
  extra: Record<string, unknown>;
}

export interface ProbeRun {
  oversold: number;
  finalCounter: number;
  storedStateConsistent: boolean;
  detail: Record<string, unknown>;
}

/** What the orchestrator in bench/holds.ts drives: set up once, timed once per round, probed once. */
export interface BenchSystem {
  name: string;
  description: string;
  setup(): Promise<Record<string, unknown>>;
  timed(round: number): Promise<TimedRun>;
  probe?(): Promise<ProbeRun>;
}

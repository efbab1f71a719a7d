import { runAttempts, runTimedLoad, sleep } from "../lib/closedLoop.ts";
import { cpuBetween, sampleCpu, type CpuSample } from "../lib/cpu.ts";
import { commandStatsDelta, type CommandStat } from "../lib/redisInfo.ts";
import { round } from "../lib/table.ts";
import { PROBE_ALLOCATION, PROBE_ATTEMPTS, type BenchContext, type BenchSystem, type InProcessSystem, type ProbeRun, type TimedRun } from "./types.ts";

/** CPU used by processes other than the ones measured (other tenants of a shared machine). */
export function otherCpu(host: number | null, ...measured: (number | null)[]): number | null {
  if (host === null || measured.some((value) => value === null)) return null;
  return Math.max(0, host - measured.reduce<number>((sum, value) => sum + (value ?? 0), 0));
}

export function roundAll<T extends Record<string, number | null>>(values: T, decimals = 1): T {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value === null ? null : round(value, decimals)])) as T;
}

/** Drives a system that runs in this process: closed-loop workers, then the oversell probe. */
export function inProcessRunner(system: InProcessSystem, context: BenchContext): BenchSystem {
  const { concurrency, warmupSeconds, seconds, log } = context;
  const transient = system.isTransient ? { isTransient: system.isTransient } : {};

  /** Samples taken when the timed window opens and closes (timers aligned with the load's clock). */
  const sampleAt = async (delayMs: number): Promise<[CpuSample, Map<string, CommandStat> | null]> => {
    await sleep(delayMs);
    const cpu = await sampleCpu(system.serverCpuSeconds);
    return [cpu, system.commandStats ? await system.commandStats() : null];
  };

  return {
    name: system.name,
    description: system.description,
    setup: () => system.setup(),

    async timed(): Promise<TimedRun> {
      const before = system.beforeTimed ? await system.beforeTimed() : null;
      const opening = sampleAt(warmupSeconds * 1_000);
      const closing = sampleAt((warmupSeconds + seconds) * 1_000);
      const load = await runTimedLoad(system.throughputOp, { concurrency, warmupMs: warmupSeconds * 1_000, durationMs: seconds * 1_000, ...transient });
      const [[cpuStart, statsStart], [cpuEnd, statsEnd]] = await Promise.all([opening, closing]);
      const cpu = cpuBetween(cpuStart, cpuEnd);
      if (load.refused > 0) log(`${system.name}: WARNING ${load.refused} holds refused during the timed window`);
      if (load.transientErrors > 0) log(`${system.name}: ${load.transientErrors} attempts failed with lock errors, first: ${load.firstTransientError}`);
      const latency = load.latency.summaryMs();
      return {
        opsPerSec: load.opsPerSec,
        p50Ms: latency.p50Ms,
        p99Ms: latency.p99Ms,
        latency: load.latency,
        cpu: roundAll({
          clientCpuPct: cpu.nodeCpuPct,
          serverCpuPct: cpu.serverCpuPct,
          hostCpuPct: cpu.hostCpuPct,
          otherCpuPct: otherCpu(cpu.hostCpuPct, cpu.nodeCpuPct, cpu.serverCpuPct),
        }),
        // A script may serve many operations per call (batched reserves): keep every command seen.
        redisCommandStats: statsStart && statsEnd ? commandStatsDelta(statsStart, statsEnd, 1) : null,
        extra: {
          ...(before ? { beforeRound: before } : {}),
          ops: load.ops,
          succeeded: load.succeeded,
          refused: load.refused,
          lockErrors: load.transientErrors,
          firstLockError: load.firstTransientError,
          warmupOps: load.warmupOps,
          perSecond: load.perSecond,
          latencyMs: roundAll(latency, 3),
        },
      };
    },

    async probe(): Promise<ProbeRun> {
      const probe = await runAttempts(system.probeOp, { concurrency, attempts: PROBE_ATTEMPTS, timeoutMs: 180_000, ...transient });
      const state = await system.readProbeState(probe.succeeded);
      return {
        oversold: Math.max(0, probe.succeeded - PROBE_ALLOCATION, -state.finalCounter),
        finalCounter: state.finalCounter,
        storedStateConsistent: state.consistent,
        detail: {
          allocation: PROBE_ALLOCATION,
          attempts: probe.attempts,
          succeeded: probe.succeeded,
          refused: probe.refused,
          lockErrors: probe.transientErrors,
          firstLockError: probe.firstTransientError,
          elapsedMs: round(probe.elapsedMs, 1),
          latencyMs: roundAll(probe.latency.summaryMs(), 3),
          stored: state.detail,
        },
      };
    },
  };
}

import { readFileSync } from "node:fs";

/**
 * The host's CPU time by kind, from the first line of /proc/stat, in seconds. Softirq time
 * is kept apart: loopback TCP is processed in softirq context and counted there, not in the
 * sending or receiving process, so on a benchmark of a local HTTP server much of it is the
 * benchmark's own work rather than a neighbour's.
 */
export interface HostCpuSample {
  at: bigint;
  /** user + nice + system: processes, ours and others. */
  tasks: number;
  irq: number;
  softirq: number;
  /** Time the hypervisor gave our virtual CPUs to someone else. */
  steal: number;
}

const TICKS_PER_SECOND = 100;

export function sampleHostCpu(): HostCpuSample | null {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return {
      at: process.hrtime.bigint(),
      tasks: (user + nice + system) / TICKS_PER_SECOND,
      irq: irq / TICKS_PER_SECOND,
      softirq: softirq / TICKS_PER_SECOND,
      steal: steal / TICKS_PER_SECOND,
    };
  } catch {
    return null;
  }
}

/** Percent of one core for each kind between two samples. */
export function hostCpuBetween(from: HostCpuSample, to: HostCpuSample): { tasksPct: number; softirqPct: number; stealPct: number } {
  const wall = Number(to.at - from.at) / 1e9;
  const pct = (seconds: number): number => Math.round((seconds / wall) * 100);
  return {
    tasksPct: pct(to.tasks - from.tasks),
    softirqPct: pct(to.softirq - from.softirq + (to.irq - from.irq)),
    stealPct: pct(to.steal - from.steal),
  };
}

import { readdirSync, readFileSync } from "node:fs";

/**
 * Who burned the CPU during a phase: this Node process, the host as a whole, and (through
 * a sampler the caller provides, e.g. Redis INFO) a server. Percentages are of one core,
 * so 100 means one core fully busy.
 */

export interface CpuSample {
  at: bigint;
  process: NodeJS.CpuUsage;
  host: { busy: number; total: number } | null;
  server: number | null;
}

export type ServerCpuSampler = () => Promise<number | null>;

export async function sampleCpu(server?: ServerCpuSampler): Promise<CpuSample> {
  return { at: process.hrtime.bigint(), process: process.cpuUsage(), host: readHostCpu(), server: server ? await server() : null };
}

export interface CpuReport {
  nodeCpuPct: number;
  /** Busy share of all host cores, in percent of one core (max = 100 x cores). */
  hostCpuPct: number | null;
  serverCpuPct: number | null;
}

export function cpuBetween(from: CpuSample, to: CpuSample): CpuReport {
  const wallMicros = Number(to.at - from.at) / 1_000;
  const nodeMicros = to.process.user - from.process.user + (to.process.system - from.process.system);
  let hostCpuPct: number | null = null;
  if (from.host && to.host) {
    const total = to.host.total - from.host.total;
    const cores = hostCores();
    hostCpuPct = total > 0 ? ((to.host.busy - from.host.busy) / total) * 100 * cores : null;
  }
  const serverCpuPct = from.server !== null && to.server !== null ? ((to.server - from.server) * 1e6 * 100) / wallMicros : null;
  return { nodeCpuPct: (nodeMicros / wallMicros) * 100, hostCpuPct, serverCpuPct };
}

function readHostCpu(): { busy: number; total: number } | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

let cores: number | null = null;
function hostCores(): number {
  if (cores === null) {
    try {
      cores =
        readFileSync("/proc/stat", "utf8")
          .split("\n")
          .filter((line) => /^cpu\d+ /.test(line)).length || 1;
    } catch {
      cores = 1;
    }
  }
  return cores;
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc; null once it is gone.
 * With `withWaitedChildren`, the children it has waited for count as its own (the wrk load
 * generator runs wrk as its child).
 */
export function processCpuSeconds(pid: number, withWaitedChildren = false): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[11..14] are utime, stime, cutime and cstime (fields 14-17 of proc(5)), in clock ticks.
    const own = Number(fields[11]) + Number(fields[12]);
    return (withWaitedChildren ? own + Number(fields[13]) + Number(fields[14]) : own) / 100;
  } catch {
    return null;
  }
}

/** Summed CPU seconds of every live process whose command name matches (e.g. all postgres backends). */
export function cpuSecondsOfCommand(pattern: RegExp): number | null {
  let total = 0;
  let found = false;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
    } catch {
      continue;
    }
    if (!pattern.test(comm)) continue;
    const seconds = processCpuSeconds(Number(entry));
    if (seconds !== null) {
      total += seconds;
      found = true;
    }
  }
  return found ? total : null;
}

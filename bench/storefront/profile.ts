import { readFileSync } from "node:fs";

import { round } from "../lib/table.ts";
import { REPO_ROOT } from "./children.ts";

/**
 * Summarises a V8 .cpuprofile (node --cpu-prof) of the server child: where the busy time went,
 * by function (self time), by area (app file, package, Node internals, GC), and the app
 * functions with the most inclusive time (self + callees), so one can see which step of a
 * request costs most.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  /** Percent of the busy (non-idle) time. */
  pct: number;
}

export interface ProfileSummary {
  file: string;
  sampledMs: number;
  idleMs: number;
  busyMs: number;
  byArea: ProfileEntry[];
  selfByFunction: ProfileEntry[];
  inclusiveAppFunctions: ProfileEntry[];
}

function location(frame: CallFrame): string {
  let url = frame.url;
  const root = `file://${REPO_ROOT}/`;
  if (url.startsWith(root)) url = url.slice(root.length);
  return url ? `${url}:${frame.lineNumber + 1}` : "";
}

function area(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith("(") ? frame.functionName : "(native / V8 builtins)";
  if (url.startsWith("node:")) return url.startsWith("node:internal/") ? `node:${url.slice("node:internal/".length).split("/")[0]}` : url;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return `pkg ${modules[1]}`;
  const root = `file://${REPO_ROOT}/`;
  if (url.startsWith(root)) return url.slice(root.length);
  return url;
}

function functionKey(frame: CallFrame): string {
  return `${frame.functionName || "(anonymous)"} ${location(frame)}`.trim();
}

function top(map: Map<string, number>, busyMs: number, count: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms: round(ms, 1), pct: round((ms / busyMs) * 100, 1) }));
}

export function summariseProfile(file: string, topCount = 30): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let sampledMs = 0;
  let idleMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1_000;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    sampledMs += ms;
    if (node.callFrame.functionName === "(idle)") {
      idleMs += ms;
      continue;
    }
    const key = functionKey(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + ms);
    const nodeArea = area(node.callFrame);
    areas.set(nodeArea, (areas.get(nodeArea) ?? 0) + ms);
    // Every app function on the stack gets the sample once (recursion counted once).
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!frame.url.startsWith(`file://${REPO_ROOT}/app/`)) continue;
      const name = functionKey(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
  }
  const busyMs = Math.max(sampledMs - idleMs, 1e-9);
  return {
    file,
    sampledMs: round(sampledMs, 1),
    idleMs: round(idleMs, 1),
    busyMs: round(busyMs, 1),
    byArea: top(areas, busyMs, topCount),
    selfByFunction: top(self, busyMs, topCount),
    inclusiveAppFunctions: top(inclusive, busyMs, topCount),
  };
}

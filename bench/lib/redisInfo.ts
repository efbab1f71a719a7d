import type { RedisClient } from "../../app/core/redis.ts";

/** Parses an INFO section into field -> value. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** The server's own CPU seconds (user + sys, main thread and children). */
export async function redisCpuSeconds(redis: RedisClient): Promise<number | null> {
  const info = parseInfo(String(await redis.info("cpu")));
  const user = Number(info.get("used_cpu_user"));
  const sys = Number(info.get("used_cpu_sys"));
  return Number.isFinite(user) && Number.isFinite(sys) ? user + sys : null;
}

export interface CommandStat {
  calls: number;
  usec: number;
}

/** INFO commandstats as command -> {calls, usec}; commands run inside scripts are counted too (Redis 7). */
export async function redisCommandStats(redis: RedisClient): Promise<Map<string, CommandStat>> {
  const stats = new Map<string, CommandStat>();
  for (const [field, value] of parseInfo(String(await redis.info("commandstats")))) {
    const calls = /calls=(\d+)/.exec(value);
    const usec = /usec=(\d+)/.exec(value);
    if (calls?.[1] && usec?.[1]) stats.set(field.replace(/^cmdstat_/, ""), { calls: Number(calls[1]), usec: Number(usec[1]) });
  }
  return stats;
}

export interface CommandStatDelta {
  command: string;
  calls: number;
  usec: number;
  usecPerCall: number;
}

/**
 * Differences between two commandstats readings, busiest first. The server may be shared,
 * so small counts from other clients can appear; the bench's own commands dominate.
 */
export function commandStatsDelta(before: Map<string, CommandStat>, after: Map<string, CommandStat>, minCalls = 100): CommandStatDelta[] {
  const deltas: CommandStatDelta[] = [];
  for (const [command, now] of after) {
    const then = before.get(command) ?? { calls: 0, usec: 0 };
    const calls = now.calls - then.calls;
    const usec = now.usec - then.usec;
    if (calls >= minCalls) deltas.push({ command, calls, usec, usecPerCall: Math.round((usec / calls) * 100) / 100 });
  }
  return deltas.sort((a, b) => b.usec - a.usec);
}

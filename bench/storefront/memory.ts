import type { Redis } from "ioredis";

import { sleep } from "../lib/closedLoop.ts";
import { parseInfo } from "../lib/redisInfo.ts";

export interface MemoryReading {
  /** INFO memory used_memory: every byte the allocator gave Redis (data, overhead, buffers). */
  usedMemory: number;
  usedMemoryDataset: number;
  keys: number;
}

export async function readMemory(redis: Redis): Promise<MemoryReading> {
  const memory = parseInfo(await redis.info("memory"));
  return {
    usedMemory: Number(memory.get("used_memory")),
    usedMemoryDataset: Number(memory.get("used_memory_dataset")),
    keys: await redis.dbsize(),
  };
}

export interface SettledReading extends MemoryReading {
  settled: boolean;
  waitedMs: number;
}

/**
 * MEMORY PURGE, then waits until used_memory stops moving: after many keys go, Redis shrinks
 * its main and expires tables in serverCron and rehashes them step by step, and idle client
 * buffers are trimmed after a couple of seconds. Stable = within `toleranceBytes` over
 * `stableReads` reads 500 ms apart (at least 3 s in all), or gives up after `maxMs`.
 */
export async function settledMemory(redis: Redis, { toleranceBytes = 512, stableReads = 5, maxMs = 30_000 } = {}): Promise<SettledReading> {
  const started = Date.now();
  await redis.call("MEMORY", "PURGE");
  let previous = await readMemory(redis);
  let stable = 0;
  for (;;) {
    await sleep(500);
    const reading = await readMemory(redis);
    stable = Math.abs(reading.usedMemory - previous.usedMemory) <= toleranceBytes ? stable + 1 : 0;
    previous = reading;
    const waitedMs = Date.now() - started;
    if ((stable >= stableReads && waitedMs >= 3_000) || waitedMs >= maxMs) return { ...reading, settled: stable >= stableReads, waitedMs };
  }
}

/** SCAN + UNLINK of every key matching `pattern`; returns how many went. */
export async function unlinkMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = "0";
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 5_000);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== "0");
  return removed;
}

/** The keys matching `pattern` (SCAN; use for small sets such as one sale's hash tag). */
export async function keysMatching(redis: Redis, pattern: string, limit = 1_000): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 5_000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== "0" && found.length < limit);
  return found.sort();
}

/** Glob-escapes a literal for SCAN MATCH (the sale hash tag has braces, which are literal in Redis globs, but ids could hold other specials). */
export function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, (special) => `\\${special}`);
}

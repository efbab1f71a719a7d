import type { RedisClient } from "../../app/core/redis.ts";
import { redisCommandStats, redisCpuSeconds } from "../lib/redisInfo.ts";
import { benchRedisConnection } from "./connection.ts";
import { PROBE_ALLOCATION, type BenchContext, type InProcessSystem, type ProbeState } from "./types.ts";

/**
 * The check-and-decrement found in most blog posts. Systems 2 (EVAL, text every call) and
 * 5 (redis-benchmark, EVALSHA) run this same text.
 */
export const CHECK_AND_DECREMENT_LUA =
  "local n = tonumber(ARGV[1]) local v = tonumber(redis.call('GET', KEYS[1])) " + "if v >= n then redis.call('DECRBY', KEYS[1], n) return 1 end return 0";

export const THROUGHPUT_STOCK = 1_000_000_000_000;

/** Keys of bench-only counters: outside Holdfast's `hf:` space, one hash tag per run. */
export function benchKey(runId: string, system: string, item: string): string {
  return `hfbench:{b:${runId}}:${system}:${item}`;
}

/** System 2: the same connection style as Holdfast, script text sent with every call. */
export function evalEveryCallSystem(context: BenchContext): InProcessSystem {
  const hotKey = benchKey(context.runId, "eval", "hot");
  const probeKey = benchKey(context.runId, "eval", "probe");
  let redis: RedisClient | null = null;

  const decrement = async (key: string): Promise<boolean> => {
    const reply = await redis!.eval(CHECK_AND_DECREMENT_LUA, 1, key, 1);
    if (reply === 1) return true;
    if (reply === 0) return false;
    throw new Error(`check-and-decrement answered ${JSON.stringify(reply)}`);
  };

  return {
    kind: "in-process",
    name: "redis-eval-every-call",
    description:
      "GET/DECRBY check-and-decrement Lua sent as text with redis.eval() on every call, one ioredis connection from createRedis() with enableAutoPipelining",
    async setup() {
      const { redis: connection, client } = benchRedisConnection();
      redis = connection;
      context.cleanup.add("close eval redis connection", () => connection.quit());
      context.cleanup.add(`delete ${hotKey}, ${probeKey}`, () => connection.unlink(hotKey, probeKey));
      await connection.set(hotKey, THROUGHPUT_STOCK);
      await connection.set(probeKey, PROBE_ALLOCATION);
      return { keys: [hotKey, probeKey], throughputStock: THROUGHPUT_STOCK, script: CHECK_AND_DECREMENT_LUA, client };
    },
    throughputOp: () => decrement(hotKey),
    probeOp: () => decrement(probeKey),
    async readProbeState(successes): Promise<ProbeState> {
      const final = Number(await redis!.get(probeKey));
      return { finalCounter: final, consistent: final >= 0 && final === PROBE_ALLOCATION - successes, detail: { final } };
    },
    serverCpuSeconds: () => redisCpuSeconds(redis!),
    commandStats: () => redisCommandStats(redis!),
  };
}

import { Redis } from "ioredis";

import { saleKeysPattern } from "../../app/core/keys.ts";

export interface RedisMemory {
  /** INFO memory used_memory when the run started and ended. */
  usedMemoryStartBytes: number;
  usedMemoryEndBytes: number;
  /** MEMORY USAGE summed over the sale's keys at the end, and how many keys. */
  saleKeysBytes: number;
  saleKeys: number;
}

/** Reads Redis memory for the report; a Redis that does not answer gives null, never a failed run. */
export class RedisMemoryProbe {
  private constructor(
    private readonly redis: Redis,
    private readonly startBytes: number,
  ) {}

  static async open(url: string): Promise<RedisMemoryProbe | null> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000, enableOfflineQueue: false });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      return new RedisMemoryProbe(redis, await usedMemory(redis));
    } catch {
      redis.disconnect();
      return null;
    }
  }

  async finish(saleId: string): Promise<RedisMemory | null> {
    try {
      const endBytes = await usedMemory(this.redis);
      let saleKeysBytes = 0;
      let saleKeys = 0;
      let cursor = "0";
      do {
        const [next, keys] = await this.redis.scan(cursor, "MATCH", saleKeysPattern(saleId), "COUNT", 1_000);
        cursor = next;
        for (const key of keys) {
          saleKeys += 1;
          saleKeysBytes += Number((await this.redis.call("MEMORY", "USAGE", key)) ?? 0);
        }
      } while (cursor !== "0");
      return { usedMemoryStartBytes: this.startBytes, usedMemoryEndBytes: endBytes, saleKeysBytes, saleKeys };
    } catch {
      return null;
    } finally {
      this.redis.disconnect();
    }
  }
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

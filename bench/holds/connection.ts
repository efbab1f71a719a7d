import { createRedis, type RedisClient } from "../../app/core/redis.ts";

/** The connection systems 1 and 2 use: `createRedis()` exactly as the app configures it. */
export function benchRedisConnection(): { redis: RedisClient; client: string } {
  return { redis: createRedis(), client: "createRedis() as configured in app/core/redis.ts (one connection, no auto-pipelining)" };
}

import { randomBytes } from "node:crypto";
import { inject } from "vitest";

import { provisionRedis } from "../../app/composition/localRedis.server.ts";
import { createRedis, redisConfigFromEnv, type RedisClient, type RedisConfig } from "../../app/core/redis.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Seeds of the private Redis Cluster that the cluster project's global setup started. */
    redisClusterNodes?: string;
  }
}

/**
 * Tests share one Redis; isolation comes from unique sale ids, never from flushing.
 * In the `cluster` project the same tests run against a private 3-master cluster.
 */
export function testRedisConfig(): RedisConfig {
  const clusterNodes = inject("redisClusterNodes");
  return redisConfigFromEnv(clusterNodes ? { REDIS_CLUSTER_NODES: clusterNodes } : process.env);
}

export function testRedisEnv(): Record<string, string> {
  const clusterNodes = inject("redisClusterNodes");
  return clusterNodes ? { REDIS_CLUSTER_NODES: clusterNodes } : { REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" };
}

export function connectTestRedis(): RedisClient {
  return createRedis(testRedisConfig());
}

export function uniqueSaleId(label: string): string {
  return `t-${label}-${randomBytes(5).toString("hex")}`;
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(private current = Date.UTC(2026, 10, 28, 12)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * A throwaway redis-server of the test's own (the same private server `npm start` runs when
 * REDIS_URL is unset), for tests that spawn the whole service: its worker sweeps every sale
 * in its Redis, and must not pick up other tests' sales in the shared one.
 */
export async function startThrowawayRedis(): Promise<{ url: string; stop: () => void }> {
  const provision = await provisionRedis({ mode: "standalone", url: "redis://127.0.0.1:1" }, { explicit: false });
  if (provision.config.mode !== "standalone" || !provision.stop) throw new Error("no private redis-server started");
  return { url: provision.config.url, stop: provision.stop };
}

import { HoldEngine, LIMITS } from "../../app/core/inventory/index.ts";
import { saleInventoryKeys } from "../../app/core/keys.ts";
import type { RedisClient } from "../../app/core/redis.ts";
import { redisCommandStats, redisCpuSeconds } from "../lib/redisInfo.ts";
import { benchRedisConnection } from "./connection.ts";
import { PROBE_ALLOCATION, type BenchContext, type InProcessSystem, type ProbeState } from "./types.ts";

const HOT_ITEM = "hot";
const TTL_MS = 10 * 60 * 1_000;

/** Deletes every key of a sale (UNLINK: freed in the background, the server is not blocked). */
export async function unlinkSale(redis: RedisClient, saleId: string): Promise<void> {
  await redis.unlink(...Object.values(saleInventoryKeys(saleId)));
}

/** System 1: the real engine through its TypeScript API, one auto-pipelined connection. */
export function holdfastSystem(context: BenchContext): InProcessSystem {
  const saleId = `bench-${context.runId}`;
  const probeSaleId = `bench-${context.runId}-probe`;
  let redis: RedisClient | null = null;
  let engine: HoldEngine | null = null;

  // One counter for the whole run: ids stay unique across warm-up, rounds and the probe.
  let requests = 0;
  const reserve = async (sale: string, worker: number): Promise<boolean> => {
    const n = requests++;
    const result = await engine!.reserve(sale, {
      lines: [{ itemId: HOT_ITEM, quantity: 1 }],
      customerId: `c${worker}-${n}`,
      requestId: `r${n}`,
      ttlMs: TTL_MS,
    });
    if (result.outcome === "reserved" && !result.replayed) return true;
    if (result.outcome === "sold_out") return false;
    throw new Error(`reserve answered ${JSON.stringify(result)}`);
  };

  return {
    kind: "in-process",
    name: "holdfast-reserve",
    description:
      "HoldEngine.reserve() (reserve.lua via defineCommand/EVALSHA), one ioredis connection from createRedis() with enableAutoPipelining; 1-unit hold, unique customer and requestId, perCustomerLimit 0, ttl 10 min",
    async setup() {
      const { redis: connection, client } = benchRedisConnection();
      redis = connection;
      context.cleanup.add("close Holdfast redis connection", () => connection.quit());
      context.cleanup.add(`delete keys of sales ${saleId}, ${probeSaleId}`, async () => {
        await unlinkSale(connection, saleId);
        await unlinkSale(connection, probeSaleId);
      });
      engine = new HoldEngine(connection);
      await engine.defineSale(saleId, { perCustomerLimit: 0, items: [{ itemId: HOT_ITEM, allocation: LIMITS.maxAllocation }] });
      await engine.defineSale(probeSaleId, { perCustomerLimit: 0, items: [{ itemId: HOT_ITEM, allocation: PROBE_ALLOCATION }] });
      const server = String(await connection.info("server"));
      return {
        saleId,
        probeSaleId,
        throughputAllocation: LIMITS.maxAllocation,
        ttlMs: TTL_MS,
        redisVersion: /redis_version:(\S+)/.exec(server)?.[1] ?? "unknown",
        client,
      };
    },
    throughputOp: (worker) => reserve(saleId, worker),
    probeOp: (worker) => reserve(probeSaleId, worker),
    async readProbeState(successes): Promise<ProbeState> {
      const snapshot = await engine!.snapshot(probeSaleId);
      const item = snapshot?.items[HOT_ITEM];
      if (!snapshot || !item) throw new Error(`probe sale ${probeSaleId} has no snapshot`);
      const sumOk = item.available + item.held + item.sold === item.allocated;
      const nonNegative = item.available >= 0 && item.held >= 0 && item.sold >= 0;
      return {
        finalCounter: item.available,
        consistent: sumOk && nonNegative && item.held === successes && snapshot.activeHolds === successes,
        detail: { ...item, activeHolds: snapshot.activeHolds, invariantAvailableHeldSoldEqualsAllocated: sumOk },
      };
    },
    serverCpuSeconds: () => redisCpuSeconds(redis!),
    commandStats: () => redisCommandStats(redis!),
  };
}

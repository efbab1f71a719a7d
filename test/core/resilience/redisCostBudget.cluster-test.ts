import { randomBytes } from "node:crypto";

import { Cluster } from "ioredis";
import { afterAll, expect, it } from "vitest";

import { RedisCostBudget } from "../../../app/core/resilience/index.ts";
import { connectTestRedis } from "../../support/redis.ts";

const redis = connectTestRedis();
afterAll(() => redis.quit());

it("keeps a store's budget keys in one slot, so its scripts run on Redis Cluster", async () => {
  expect(redis).toBeInstanceOf(Cluster);
  const keyPrefix = `hf:budget:t-${randomBytes(5).toString("hex")}:`;
  const budget = new RedisCostBudget(redis, "shop-cluster.myshopify.com", { keyPrefix });
  const probe = await budget.acquire(10);
  await probe.settle({ maximumAvailable: 100, currentlyAvailable: 90, restoreRate: 0.001 });
  await budget.acquire(80);
  await expect(budget.acquire(20, { maxWaitMs: 10 })).rejects.toMatchObject({ kind: "throttled" });
});

// REDIS_WAIT_REPLICAS on a Redis that has no replica: no enqueue may be acknowledged, the
// first nor its retry (the failover drill, test/worker/redisFailover.test.ts, shows the other
// side: with a replica, every acknowledged order survives the master's death).
import { afterAll, expect, it } from "vitest";

import { OrderIntake, orderEventJobId } from "../../../app/core/orders/index.ts";
import { DeadLetterQueue, HoldfastQueues, ReplicationLagError } from "../../../app/core/queues/index.ts";
import { OrdersHarness, uniqueNamespace } from "../orders/harness.ts";

let h: OrdersHarness;
afterAll(() => h?.close());

it("an enqueue no replica confirmed is refused, its retry too; without the setting the retry is a duplicate", async () => {
  const namespace = uniqueNamespace("wait");
  h = await OrdersHarness.create("wait", { namespace, replicaAcks: { replicas: 1, timeoutMs: 20 } });
  const replicas = Number(/connected_slaves:(\d+)/.exec(String(await h.redis.info("replication")))?.[1] ?? 0);
  expect(replicas, "this test wants a Redis without replicas").toBe(0);
  const sale = await h.createSale("wait");
  const event = h.event(sale, { platformOrderRef: "W-1" });

  await expect(h.intake.enqueue(event)).rejects.toBeInstanceOf(ReplicationLagError);
  // Added all the same (the sender's retry finds it): only the answer waited for a replica.
  expect(await h.orderQueue.getJobState(orderEventJobId(event.eventId))).toBe("waiting");
  await expect(h.intake.enqueue(event)).rejects.toThrow("enqueue reached 0 of 1 replicas in time");

  const unreplicated = new HoldfastQueues(h.redis, { namespace });
  expect((await new OrderIntake(unreplicated, new DeadLetterQueue(unreplicated)).enqueue(event)).outcome).toBe("duplicate");
  await unreplicated.close();
  expect(await h.orderQueue.getJobCounts("waiting")).toEqual({ waiting: 1 });
});

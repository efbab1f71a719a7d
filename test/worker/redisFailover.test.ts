// The failover drill: a private Redis Cluster of three masters with one replica each; mid-drop
// (shoppers holding through the storefront API, their orders flowing through the intake and the
// order worker) the master that owns the sale's slot, and the order queue's, is killed with
// SIGKILL. Its replica takes over; holds and orders go on, nothing is oversold, and every
// order whose enqueue was acknowledged ends recorded or dead-lettered with its reason.

import { Cluster } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";

import { saleTag } from "../../app/core/keys.ts";
import { orderEventJobId } from "../../app/core/orders/index.ts";
import { QUEUE_NAMES } from "../../app/core/queues/index.ts";
import { createRedis, HOT_PATH_CONNECTION, redisConfigFromEnv } from "../../app/core/redis.ts";
import { expectInvariant } from "../core/inventory/invariant.ts";
import { OrdersHarness, uniqueNamespace } from "../core/orders/harness.ts";
import { startTestCluster, type TestCluster } from "../support/redisCluster.ts";
import { Shopper, startStorefront, type Storefront } from "../support/storefront.ts";

const SHOPPERS = 6;
const ALLOCATION = 5_000;
/** Acknowledged orders wanted before the kill, and again after the promotion. */
const ORDERS_EACH_SIDE = 25;

let cluster: TestCluster;
let storefront: Storefront;
let h: OrdersHarness;
beforeAll(async () => {
  cluster = await startTestCluster({ replicas: 1, nodeTimeoutMs: 1_000 });
}, 120_000);
afterAll(async () => {
  await storefront?.close();
  await h?.close();
  await cluster?.stop();
});

/** "host:port" of the master serving `slot`, as a live node sees it now. */
async function masterOfSlot(redis: Cluster, slot: number): Promise<string> {
  const shards = (await redis.call("CLUSTER", "SLOTS")) as [number, number, [string, number, string]][];
  const shard = shards.find(([first, last]) => slot >= first && slot <= last);
  if (!shard) throw new Error(`no master serves slot ${slot}`);
  return `${shard[2][0]}:${shard[2][1]}`;
}

const keySlot = async (redis: Cluster, key: string) => Number(await redis.call("CLUSTER", "KEYSLOT", key));

interface Acknowledged {
  eventId: string;
  ref: string;
  beforeKill: boolean;
}

it("a master killed mid-drop: its replica takes over, holds and orders go on, 0 oversold, no acknowledged order lost", { timeout: 180_000 }, async () => {
  const config = redisConfigFromEnv({ REDIS_CLUSTER_NODES: cluster.seeds });
  storefront = await startStorefront({ redis: () => createRedis(config, HOT_PATH_CONNECTION) });
  const saleId = await storefront.createSale({ items: { sku: ALLOCATION } });
  const admin = createRedis(config) as Cluster;
  const saleSlot = await keySlot(admin, `${saleTag(saleId)}`);
  const victim = await masterOfSlot(admin, saleSlot);
  // The order queue on the same master, so the kill takes holds and queued orders at once.
  let namespace = uniqueNamespace("failover");
  while ((await masterOfSlot(admin, await keySlot(admin, `{${namespace}:${QUEUE_NAMES.orderEvents}}`))) !== victim) namespace = uniqueNamespace("failover");
  // An enqueue is acknowledged only once the master's replica has it (see ReplicaAcks).
  h = await OrdersHarness.create("failover", { redis: createRedis(config), namespace, replicaAcks: { replicas: 1, timeoutMs: 1_000 } });
  await h.recordSale(saleId, "failover", { policy: "flag" });
  h.startWorker({ concurrency: 10 });
  const sale = { saleId, storeId: null };

  let killed = false;
  let running = true;
  const acknowledged: Acknowledged[] = [];
  const refused = { holds: 0, enqueues: 0, serverErrors: 0 };
  let holdsAfterKill = 0;
  const lastErrors = { hold: "", enqueue: "" };
  const shop = async (shopperIndex: number) => {
    for (let attempt = 0; running; attempt++) {
      const shopper = new Shopper(storefront.base, saleId);
      const hold = await shopper.hold([{ itemId: "sku", quantity: 1 }]).catch(() => ({ status: 0, body: {} as Record<string, unknown> }));
      if (hold.status !== 201) {
        lastErrors.hold = `${hold.status} ${JSON.stringify(hold.body)}`;
        refused.holds += 1;
        if (hold.status >= 500 && hold.status !== 503) refused.serverErrors += 1;
        continue;
      }
      if (killed) holdsAfterKill += 1;
      const ref = `F-${shopperIndex}-${attempt}`;
      const event = h.event(sale, { platformOrderRef: ref, holdId: String(hold.body.holdId), customerRef: shopper.session });
      // Only an answered enqueue counts: a refused or failed one is the platform's to retry.
      const answer = await h.intake.enqueue(event).catch((error: Error) => {
        lastErrors.enqueue = error.message;
        return null;
      });
      // Before the kill means the answer came before it (its job may still be waiting or active).
      if (answer?.outcome === "queued") acknowledged.push({ eventId: event.eventId, ref, beforeKill: !killed });
      else refused.enqueues += 1;
    }
  };
  const shoppers = Array.from({ length: SHOPPERS }, (_, i) => shop(i));

  try {
    await expect.poll(() => acknowledged.length, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(ORDERS_EACH_SIDE);
    cluster.kill(Number(victim.split(":")[1]));
    killed = true;
    const acknowledgedAtKill = acknowledged.length;

    // The replica is promoted: a surviving node names a new master for the sale's slot.
    const survivor = createRedis(
      redisConfigFromEnv({
        REDIS_CLUSTER_NODES: cluster.ports
          .filter((port) => `127.0.0.1:${port}` !== victim)
          .map((p) => `127.0.0.1:${p}`)
          .join(","),
      }),
    ) as Cluster;
    await expect.poll(() => masterOfSlot(survivor, saleSlot).catch(() => victim), { timeout: 60_000, interval: 100 }).not.toBe(victim);
    await survivor.quit();
    // Its supervisor restarts the dead node, which rejoins as the new master's replica: until
    // then no enqueue can reach a replica, and none is acknowledged.
    await cluster.restart(Number(victim.split(":")[1]));

    // Holds and orders go on after the failover.
    await expect
      .poll(() => acknowledged.length - acknowledgedAtKill, {
        message: JSON.stringify({ refused, holdsAfterKill, lastErrors }),
        timeout: 90_000,
        interval: 100,
      })
      .toBeGreaterThanOrEqual(ORDERS_EACH_SIDE);
    expect(holdsAfterKill).toBeGreaterThanOrEqual(ORDERS_EACH_SIDE);
  } finally {
    running = false;
    await Promise.all(shoppers);
  }
  expect(refused.serverErrors, "only 503 (Redis unavailable) while the slot had no master").toBe(0);

  // Every acknowledged order ends recorded in SQL or dead-lettered with its reason.
  const settled = async () => {
    const letters = new Map((await h.deadLetters.list({ limit: 10_000 })).map((letter) => [letter.jobId, letter.error]));
    let open = 0;
    for (const order of acknowledged) {
      const recorded = await h.repository.find(saleId, order.ref);
      if (recorded === null && !letters.get(orderEventJobId(order.eventId))) open += 1;
    }
    return open;
  };
  await expect.poll(settled, { timeout: 90_000, interval: 250 }).toBe(0);

  const snapshot = await h.holds.snapshot(saleId);
  expectInvariant(snapshot);
  const committed = await h.db.order.count({ where: { saleId, status: "committed" } });
  expect(committed).toBeGreaterThanOrEqual(2 * ORDERS_EACH_SIDE);
  console.info(
    `failover drill: ${acknowledged.length} orders acknowledged (${acknowledged.filter((o) => o.beforeKill).length} before the kill),` +
      ` ${committed} committed, refused ${refused.holds} holds and ${refused.enqueues} enqueues during the failover; sku ${JSON.stringify(snapshot?.items.sku)}`,
  );
  await admin.quit();
});

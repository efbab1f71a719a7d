// The platform-calls worker: cancels bypass orders through the store directory; an open
// breaker delays the job without spending attempts, other failures retry then dead-letter.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { PlatformCallQueue, type CancelOrderCall } from "../../app/core/orders/index.ts";
import { DeadLetterQueue, JITTERED_BACKOFF, QUEUE_NAMES } from "../../app/core/queues/index.ts";
import { PlatformCallWorker } from "../../app/core/orders/PlatformCallWorker.ts";
import { quietLogger, SyncHarness } from "../core/sync/harness.ts";

const workers: PlatformCallWorker[] = [];
function startWorker(h: SyncHarness): PlatformCallWorker {
  const worker = new PlatformCallWorker({
    queues: h.queues,
    platforms: h.platforms,
    breakers: h.platforms,
    deadLetters: new DeadLetterQueue(h.queues),
    logger: quietLogger,
    backoff: { maxDelayMs: 200 },
  });
  worker.start();
  workers.push(worker);
  return worker;
}
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.close(true)));
});

const jobOptions = { [QUEUE_NAMES.platformCalls]: { attempts: 3, backoff: { type: JITTERED_BACKOFF, delay: 50 }, removeOnFail: { count: 100 } } };

async function waitForState(h: SyncHarness, jobId: string, states: string[], timeoutMs = 15_000): Promise<string> {
  let state = "";
  await h.waitFor(
    async () => states.includes((state = await h.queues.queue(QUEUE_NAMES.platformCalls).getJobState(jobId))),
    `job ${jobId} to be ${states.join("|")}`,
    timeoutMs,
  );
  return state;
}

describe("platform calls through the breaker", () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await SyncHarness.create("calls", { policy: { retries: 0, timeoutMs: 500, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 400 } }, jobOptions });
  });
  afterAll(() => h?.close());

  it("cancels the order on the platform", async () => {
    const storeId = await h.storeFor("shopify");
    const at = h.shop.stock({ available: 5 });
    const order = h.shop.placeOrder([{ itemId: at.itemId, locationId: at.locationId, quantity: 1 }]);
    const call: CancelOrderCall = {
      type: "cancelOrder",
      storeId,
      platformOrderRef: `gid://shopify/Order/${order.id}`,
      reason: "bypassed the waiting room",
      saleId: "t-sale",
    };
    const jobId = await new PlatformCallQueue(h.queues).enqueue(call);
    startWorker(h);
    expect(await waitForState(h, jobId, ["completed", "failed"])).toBe("completed");
    expect(h.shop.orders.get(order.id)?.cancelledAt).not.toBeNull();
  });

  it("waits out an outage with the job delayed, spending no attempt, then cancels", async () => {
    const storeId = await h.storeFor("shopify");
    const at = h.shop.stock({ available: 5 });
    const order = h.shop.placeOrder([{ itemId: at.itemId, locationId: at.locationId, quantity: 1 }]);
    h.shop.failFor(2_000, "http503");
    const jobId = await new PlatformCallQueue(h.queues).enqueue({
      type: "cancelOrder",
      storeId,
      platformOrderRef: `gid://shopify/Order/${order.id}`,
      reason: "bypass",
      saleId: "t-sale",
    });
    startWorker(h);
    // Two 503s open the breaker; from then on the job waits delayed.
    await waitForState(h, jobId, ["delayed"]);
    expect(await waitForState(h, jobId, ["completed", "failed"])).toBe("completed");
    const job = await h.queues.queue(QUEUE_NAMES.platformCalls).getJob(jobId);
    // More failed trips to the platform (the failures that opened the breaker, then its failed
    // test calls) than the job has attempts, yet only the one before the breaker opened counted
    // (BullMQ counts the successful run as an attempt too).
    expect(h.shop.stats.failed).toBeGreaterThanOrEqual(3);
    expect(job?.attemptsMade).toBeLessThanOrEqual(2);
    expect(h.shop.orders.get(order.id)?.cancelledAt).not.toBeNull();
    expect(await new DeadLetterQueue(h.queues).list()).toEqual([]);
  }, 30_000);

  it("sends a call for an unknown store to the dead-letter queue at once", async () => {
    const jobId = await new PlatformCallQueue(h.queues).enqueue({
      type: "cancelOrder",
      storeId: "st_gone",
      platformOrderRef: "gid://shopify/Order/1",
      reason: "bypass",
      saleId: "t-sale",
    });
    startWorker(h);
    expect(await waitForState(h, jobId, ["failed", "completed"])).toBe("failed");
    const letters = await new DeadLetterQueue(h.queues).list();
    expect(letters.find((letter) => letter.jobId === jobId)).toMatchObject({ queue: QUEUE_NAMES.platformCalls, attemptsMade: 1 });
    expect(letters.find((letter) => letter.jobId === jobId)?.error).toMatch(/^unknown_store/);
  });
});

describe("platform calls that keep failing", () => {
  let h: SyncHarness;
  beforeAll(async () => {
    // A breaker that does not open: the failures reach the job's retries.
    h = await SyncHarness.create("callsdlq", {
      policy: { retries: 0, timeoutMs: 500, breaker: { consecutiveFailures: 1_000, halfOpenAfterMs: 400 } },
      jobOptions,
    });
  });
  afterAll(() => h?.close());

  it("retries with backoff, then dead-letters; a replay after the platform recovers cancels the order", async () => {
    const storeId = await h.storeFor("woocommerce");
    h.woo.fail({ status: 500 }, { forMs: 60_000, method: "PUT" });
    const jobId = await new PlatformCallQueue(h.queues).enqueue({ type: "cancelOrder", storeId, platformOrderRef: "4242", reason: "bypass", saleId: "t-sale" });
    startWorker(h);
    expect(await waitForState(h, jobId, ["failed", "completed"])).toBe("failed");
    expect(h.woo.callsTo("PUT", /^\/orders\/4242$/)).toHaveLength(3);
    const deadLetters = new DeadLetterQueue(h.queues);
    const letter = (await deadLetters.list()).find((entry) => entry.jobId === jobId);
    expect(letter).toMatchObject({ attemptsMade: 3 });

    // The order exists now and the platform answers again: the operator replays.
    h.woo.clearFaults();
    expect((await deadLetters.replay(letter!.id)).outcome).toBe("replayed");
    // 4242 does not exist in the stand-in: a refusal, dead-lettered at once this time.
    expect(await waitForState(h, jobId, ["failed", "completed"])).toBe("failed");
    expect((await deadLetters.list()).find((entry) => entry.jobId === jobId)?.error).toMatch(/not|exist|invalid/i);
  }, 30_000);
});

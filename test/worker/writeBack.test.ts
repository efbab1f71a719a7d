// The write-back worker on real BullMQ: coalescing through the queue, a platform outage
// (5xx, timeouts, 429) that opens the breaker and defers work without losing it, and a
// worker killed with SIGKILL in the middle of a flush.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { Logger } from "../../app/core/logger.ts";
import { QUEUE_NAMES } from "../../app/core/queues/index.ts";
import { Reconciler, WriteBackWorker } from "../../app/core/sync/index.ts";
import { quietLogger, SyncHarness, type SyncedSale, type SyncPlatform } from "../core/sync/harness.ts";
import { testRedisEnv } from "../support/redis.ts";

const CHILD = fileURLToPath(new URL("./writeBackWorker.child.ts", import.meta.url));

function recording(): Logger & { messages: string[] } {
  const messages: string[] = [];
  const push = (message: string) => void messages.push(message);
  return { messages, info: push, warn: push, error: push };
}

const workers: WriteBackWorker[] = [];
async function startWorker(
  harness: SyncHarness,
  options: { flushIntervalMs?: number; logger?: Logger; lockDurationMs?: number } = {},
): Promise<WriteBackWorker> {
  const worker = new WriteBackWorker({
    queues: harness.queues,
    writeBack: harness.writeBack,
    catalog: harness.catalog,
    logger: options.logger ?? quietLogger,
    flushIntervalMs: options.flushIntervalMs ?? 200,
    lockDurationMs: options.lockDurationMs,
    stalledIntervalMs: options.lockDurationMs,
  });
  await worker.start();
  workers.push(worker);
  return worker;
}

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.close(true)));
});

async function converged(harness: SyncHarness, platform: SyncPlatform, sale: SyncedSale): Promise<boolean> {
  const holdfast = await harness.holdfastStock(sale);
  const onPlatform = harness.platformStocks(platform, sale);
  return sale.items.every((item) => holdfast[item.itemId] === onPlatform[item.itemId]);
}

describe("write-back through the queue", () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await SyncHarness.create("wbq", {
      policy: { retries: 2, timeoutMs: 300, backoff: { initialDelayMs: 20, maxDelayMs: 100 }, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 400 } },
    });
  }, 240_000);
  afterAll(() => h?.close());

  it("coalesces a burst of changes into at most one call per item batch per flush interval", async () => {
    const sale = await h.createSale("shopify", 40, 100);
    await startWorker(h, { flushIntervalMs: 250 });
    await h.waitFor(() => converged(h, "shopify", sale), "the first write-back");
    const before = h.shop.stats.operations.HoldfastInventorySetQuantities ?? 0;
    const started = Date.now();
    // About 1,500 changes, spread over more than a second.
    for (let round = 0; round < 6; round += 1) {
      await h.churn(sale, 250, round + 11);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await h.waitFor(() => converged(h, "shopify", sale), "the platform to equal Holdfast");
    const elapsed = Date.now() - started;
    const calls = (h.shop.stats.operations.HoldfastInventorySetQuantities ?? 0) - before;
    // 40 items fit one batch: one call per interval at most (plus the interval in flight at each end).
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2);
    expect(h.shop.stats.throttled).toBe(0);
  }, 30_000);

  it("rides out 5xx answers and timeouts: the breaker opens, flushes wait, the breaker closes, everything is written", async () => {
    const sale = await h.createSale("shopify", 10, 100);
    const states: string[] = [];
    h.platforms.policyFor(sale.storeId, "shopify").onStateChange((state) => states.push(state));
    const logger = recording();
    await startWorker(h, { logger });
    await h.waitFor(() => converged(h, "shopify", sale), "the first write-back");

    h.shop.failFor(1_200, "http500");
    await h.churn(sale, 100, 3);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    h.shop.failFor(800, "timeout");
    await h.churn(sale, 100, 4);

    await h.waitFor(() => converged(h, "shopify", sale), "the platform to equal Holdfast after the outage", 25_000);
    expect(states).toContain("open");
    // The write that converged was the breaker's test call; it closes once its answer is in.
    await h.waitFor(() => h.platforms.policyFor(sale.storeId, "shopify").state === "closed", "the breaker to close");
    expect(states.at(-1)).toBe("closed");
    expect(logger.messages).toContain("write-back flush deferred");
    expect(h.shop.stats.throttled).toBe(0);
    expect(await h.queues.queue(QUEUE_NAMES.writeBack).getJobCounts("failed")).toEqual({ failed: 0 });
  }, 40_000);

  it("defers on WooCommerce's 429 (Retry-After) and 503s, then writes everything", async () => {
    const sale = await h.createSale("woocommerce", 10, 100);
    const logger = recording();
    await startWorker(h, { logger });
    await h.waitFor(() => converged(h, "woocommerce", sale), "the first write-back");

    h.woo.fail({ status: 429, code: "rate_limited", retryAfter: "1" }, { forMs: 1_500 });
    await h.churn(sale, 100, 5);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    h.woo.fail({ status: 503 }, { forMs: 800 });
    await h.churn(sale, 100, 6);

    await h.waitFor(() => converged(h, "woocommerce", sale), "the platform to equal Holdfast after the outage", 25_000);
    expect(logger.messages).toContain("write-back flush deferred");
    // Deferred by the Retry-After, not hammered: a handful of 429s in 1.5 s.
    expect(h.woo.callsTo("POST", /^\/products\/batch$/).filter((call) => call.status === 429).length).toBeLessThanOrEqual(4);
    expect(await h.queues.queue(QUEUE_NAMES.writeBack).getJobCounts("failed")).toEqual({ failed: 0 });
  }, 40_000);
});

describe("a write-back worker killed mid-flush", () => {
  let h: SyncHarness;
  const LOCK_MS = 1_000;
  beforeAll(async () => {
    h = await SyncHarness.create("wbkill", { lockTtlMs: LOCK_MS });
  }, 240_000);
  afterAll(() => h?.close());

  it("loses nothing: the replacement writes the changes pending at the kill and those made after", async () => {
    const sale = await h.createSale("woocommerce", 8, 30);
    await h.writeBack.flushSale(sale.saleId);
    await h.churn(sale, 60, 21);
    // The child's next write hangs in WooCommerce; it is killed while waiting for the answer.
    h.woo.fail({ stallMs: 8_000 }, { method: "POST", route: /^\/products\/batch$/, times: 1 });

    const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
      env: {
        ...process.env,
        ...testRedisEnv(),
        DATABASE_URL: h.database.url,
        HF_TEST_NAMESPACE: h.namespace,
        MASTER_KEY: h.masterKey.toString("base64"),
        BUDGET_PREFIX: h.budgetPrefix,
        LOCK_MS: String(LOCK_MS),
      },
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    expect((await lines.next()).value, stderr).toBe("ready");

    await h.waitFor(() => h.woo.callsTo("POST", /^\/products\/batch$/).some((call) => call.status === 0), "the child's write to be in flight");
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(await converged(h, "woocommerce", sale)).toBe(false);
    // More changes after the crash.
    await h.churn(sale, 40, 22);
    h.woo.clearFaults();

    await startWorker(h, { lockDurationMs: LOCK_MS });
    // Deadlines below only bound a broken run; a loaded machine takes what it takes.
    await h.waitFor(() => converged(h, "woocommerce", sale), "the replacement to write everything", 150_000);
    // The flush records its cursor after the platform confirmed the last batch.
    await h.waitFor(async () => !(await h.writeBack.isDue(sale.saleId)), "the flush to complete", 150_000);

    // The dead worker's request is still held by WooCommerce. When it lands, it sets the counts
    // of before the crash (absolute writes, and WooCommerce has no compare-and-set): platform
    // drift that only reconciliation can see, and repairs.
    await h.waitFor(() => h.woo.callsTo("POST", /^\/products\/batch$/).every((call) => call.status !== 0), "the dead worker's write to land", 150_000);
    const reconciler = new Reconciler({
      redis: h.redis,
      holds: h.holds,
      catalog: h.catalog,
      history: h.catalog,
      platforms: h.platforms,
      writeBack: h.writeBack,
    });
    const report = await reconciler.reconcile(sale.saleId, { repair: true });
    expect(report.items.flatMap((item) => item.drift.map((drift) => drift.kind)).filter((kind) => kind !== "platform")).toEqual([]);
    expect(await converged(h, "woocommerce", sale)).toBe(true);
  }, 300_000);
});

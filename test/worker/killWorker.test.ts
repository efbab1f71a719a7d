import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, expect, it } from "vitest";

import { orderEventJobId } from "../../app/core/orders/index.ts";
import { OrdersHarness } from "../core/orders/harness.ts";
import { expectInvariant } from "../core/inventory/invariant.ts";
import { testRedisEnv } from "../support/redis.ts";

const CHILD = fileURLToPath(new URL("./orderWorker.child.ts", import.meta.url));
const WITH_HOLD = 100;
const BYPASS = 50;
const ORDERS = WITH_HOLD + BYPASS;
const LOCK_MS = 1_000;
// One order with a hold and one without stop between their Redis effect and their SQL row.
const STUCK_REFS = ["K-40", `K-${WITH_HOLD + 10}`];

let h: OrdersHarness;
beforeAll(async () => {
  h = await OrdersHarness.create("kill");
});
afterAll(() => h?.close());

it("a worker killed with SIGKILL mid-batch loses and doubles nothing: a new worker completes every job once", async () => {
  const sale = await h.createSale("kill", { policy: "allow", items: [{ itemId: "sku", allocation: 500 }] });
  const events = [];
  for (let i = 0; i < ORDERS; i++) {
    const holdId = i < WITH_HOLD ? await h.reserve(sale.saleId, [{ itemId: "sku", quantity: 1 }], `shopper-${i}`) : undefined;
    events.push(h.event(sale, { platformOrderRef: `K-${i}`, customerRef: `shopper-${i}`, ...(holdId ? { holdId } : {}) }));
  }
  for (const event of events) expect((await h.intake.enqueue(event)).outcome).toBe("queued");

  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    env: {
      ...process.env,
      ...testRedisEnv(),
      DATABASE_URL: h.database.url,
      HF_TEST_NAMESPACE: h.namespace,
      SAVE_DELAY_MS: "40",
      LOCK_MS: String(LOCK_MS),
      CONCURRENCY: "25",
      STUCK_REFS: STUCK_REFS.join(","),
    },
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  const stuck = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line === "ready") resolve();
      else if (line.startsWith("stuck ")) stuck.add(line.slice("stuck ".length));
    });
    void exited.then((signal) => reject(new Error(`the child exited (${signal}) before it was ready:\n${stderr}`)));
  });

  // Let it get well into the batch, with both stuck orders inside the window, then pull the plug.
  await h.waitFor(() => Promise.resolve(stuck.size === STUCK_REFS.length), "the child to reach both stuck orders", 30_000);
  await h.waitFor(async () => (await h.db.order.count({ where: { saleId: sale.saleId } })) >= 30, "the child to record some orders", 20_000);
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
  const atKill = await h.orderQueue.getJobCounts("active", "completed", "waiting");
  const recordedAtKill = await h.db.order.count({ where: { saleId: sale.saleId } });
  // Orphans: jobs the dead worker held, the stuck ones (at least) with their stock effect made
  // but no SQL row.
  expect(atKill.active).toBeGreaterThan(0);
  expect(recordedAtKill).toBeLessThan(ORDERS);
  const soldAtKill = (await h.holds.snapshot(sale.saleId))?.items.sku?.sold ?? 0;
  expect(soldAtKill).toBeGreaterThan(recordedAtKill);

  // The replacement: it finds the orphans once their locks lapse, and finishes everything.
  h.startWorker({ lockDurationMs: LOCK_MS, stalledIntervalMs: LOCK_MS / 2, lockTtlMs: LOCK_MS });
  await h.waitFor(async () => (await h.orderQueue.getJobCounts("completed")).completed === ORDERS, "every job to complete", 30_000);

  expect(await h.orderQueue.getJobCounts("active", "waiting", "delayed", "failed")).toEqual({ active: 0, waiting: 0, delayed: 0, failed: 0 });
  for (const event of events) expect(await h.orderQueue.getJobState(orderEventJobId(event.eventId))).toBe("completed");
  const rows = await h.db.order.findMany({ where: { saleId: sale.saleId } });
  expect(rows).toHaveLength(ORDERS);
  expect(new Set(rows.map((row) => row.platformOrderRef)).size).toBe(ORDERS);
  expect(rows.filter((row) => row.status === "committed")).toHaveLength(WITH_HOLD);
  expect(rows.filter((row) => row.status === "taken" && row.bypass)).toHaveLength(BYPASS);
  const snapshot = await h.holds.snapshot(sale.saleId);
  expectInvariant(snapshot);
  expect(snapshot?.items.sku).toEqual({ allocated: 500, available: 500 - ORDERS, held: 0, sold: ORDERS });
  expect(snapshot?.activeHolds).toBe(0);
  expect(await h.deadLetters.list()).toEqual([]);
}, 60_000);

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, expect, it } from "vitest";

import { expectInvariant } from "../inventory/invariant.ts";
import { testRedisEnv } from "../../support/redis.ts";
import { CheckoutHarness, SECRET, TEST_CHECKOUT_JOB_OPTIONS, UNIT_PRICE } from "./harness.ts";

const CHILD = fileURLToPath(new URL("./checkoutWorker.child.ts", import.meta.url));
const ORDERS = 40;
const LOCK_MS = 1_000;
const HUNG = 2;

let h: CheckoutHarness;
beforeAll(async () => {
  h = await CheckoutHarness.create("cokill", { gateway: true });
});
afterAll(() => h?.close());

it("a checkout worker killed with SIGKILL mid-batch charges no one twice and creates no order twice; a new worker places every order once", async () => {
  const sale = await h.createSale("kill", { allocation: 100 });
  const orderIds: string[] = [];
  for (let i = 0; i < ORDERS; i++) orderIds.push((await h.checkout(sale, { token: `tok_${i}` })).orderId);
  // The first two platform orders hang until the stand-in closes: those jobs are certainly between
  // their capture and their platform order when the plug is pulled, however loaded the machine.
  // The rest answer after 150 ms, a slow platform.
  h.shop.fail({ stallMs: 600_000 }, HUNG);
  h.shop.fail({ stallMs: 150 }, ORDERS - HUNG);

  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    env: {
      ...process.env,
      ...testRedisEnv(),
      DATABASE_URL: h.orders.database.url,
      HF_TEST_NAMESPACE: h.orders.namespace,
      JOB_OPTIONS: JSON.stringify(TEST_CHECKOUT_JOB_OPTIONS),
      MASTER_KEY: h.masterKey.toString("base64"),
      GATEWAY: h.gateway!.endpoint,
      SECRET,
      UNIT_PRICE: String(UNIT_PRICE),
      LOCK_MS: String(LOCK_MS),
      CONCURRENCY: "8",
    },
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  expect((await lines.next()).value, stderr).toBe("ready");

  // Eight orders made means the two calls before them were taken and hang.
  await h.orders.waitFor(async () => h.shop.orders.size >= 8, "the child to create some platform orders", 20_000);
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
  const atKill = await h.checkoutQueue.getJobCounts("active", "completed");
  expect(atKill.active).toBeGreaterThan(0);
  expect(atKill.completed).toBeLessThan(ORDERS);
  // Orphans: jobs that had captured the payment (and maybe created the platform order) but had not finished.
  expect(h.gateway!.charges.size).toBeGreaterThan(atKill.completed ?? 0);

  h.startWorker({ lockDurationMs: LOCK_MS, stalledIntervalMs: LOCK_MS / 2 });
  await h.orders.waitFor(async () => (await h.checkoutQueue.getJobCounts("completed")).completed === ORDERS, "every checkout to complete", 40_000);

  for (const orderId of orderIds) {
    expect((await h.store.get(sale.saleId, orderId))?.status).toBe("placed");
    expect(h.gateway!.charges.get(orderId)).toBe(UNIT_PRICE);
    expect([...h.shop.orders.values()].filter((order) => order.orderId === orderId)).toHaveLength(1);
  }
  expect(h.shop.orders.size).toBe(ORDERS);
  expect(h.gateway!.refunds.size).toBe(0);
  const rows = await h.db.order.findMany({ where: { saleId: sale.saleId } });
  expect(rows).toHaveLength(ORDERS);
  expect(rows.every((row) => row.status === "placed" && !row.bypass)).toBe(true);
  const snapshot = await h.holds.snapshot(sale.saleId);
  expectInvariant(snapshot);
  expect(snapshot?.items.sku).toEqual({ allocated: 100, available: 100 - ORDERS, held: 0, sold: ORDERS });
  expect(await h.deadLetters.list()).toEqual([]);
}, 90_000);

import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { afterAll, expect, it } from "vitest";

import { HoldEngine } from "../../../app/core/inventory/index.ts";
import { saleTag } from "../../../app/core/keys.ts";
import { connectTestRedis, testRedisEnv, uniqueSaleId } from "../../support/redis.ts";
import { expectInvariant } from "./invariant.ts";

const PROCESSES = 4;
const RESERVES_PER_PROCESS = 500;
const UNITS = 100;
const WORKER = fileURLToPath(new URL("./oversell.worker.ts", import.meta.url));

const redis = connectTestRedis();
afterAll(() => redis.quit());

interface Worker {
  child: ChildProcessWithoutNullStreams;
  nextLine: () => Promise<string>;
}

function startWorker(mode: "engine" | "naive", saleId: string, id: number): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, mode, saleId, String(RESERVES_PER_PROCESS), String(id)], {
    env: { ...process.env, ...testRedisEnv() },
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    nextLine: async () => {
      const next = await lines.next();
      if (next.done) throw new Error(`worker ${id} ended early: ${stderr}`);
      return next.value;
    },
  };
}

/** Starts all processes, waits until each is connected, then releases them together. */
async function hammer(mode: "engine" | "naive", saleId: string): Promise<number> {
  const workers = Array.from({ length: PROCESSES }, (_, id) => startWorker(mode, saleId, id));
  for (const worker of workers) expect(await worker.nextLine()).toBe("ready");
  for (const worker of workers) worker.child.stdin.write("go\n");
  const reports = await Promise.all(workers.map(async (w) => JSON.parse(await w.nextLine()) as { successes: number }));
  return reports.reduce((sum, report) => sum + report.successes, 0);
}

it(`holds exactly ${UNITS} units when ${PROCESSES} processes fire ${RESERVES_PER_PROCESS} concurrent reserves each`, async () => {
  const saleId = uniqueSaleId("oversell");
  await new HoldEngine(redis).defineSale(saleId, { perCustomerLimit: 0, items: [{ itemId: "hot", allocation: UNITS }] });
  const successes = await hammer("engine", saleId);
  const snapshot = await new HoldEngine(redis).snapshot(saleId);
  expectInvariant(snapshot);
  expect(successes).toBe(UNITS);
  expect(snapshot?.items.hot).toEqual({ allocated: UNITS, available: 0, held: UNITS, sold: 0 });
  expect(snapshot?.activeHolds).toBe(UNITS);
});

it("the same hammer oversells a naive check-then-decrement, so the test has teeth", async () => {
  const saleId = uniqueSaleId("naive");
  const key = `hf:${saleTag(saleId)}:naive`;
  await redis.set(key, UNITS, "EX", 300);
  const successes = await hammer("naive", saleId);
  expect(successes).toBeGreaterThan(UNITS);
  expect(Number(await redis.get(key))).toBeLessThan(0);
});

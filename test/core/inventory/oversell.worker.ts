/**
 * One OS process of the oversell test. It connects, says "ready", waits for "go" on stdin so
 * that all processes fire together, then sends all its reserves at once and prints how
 * many succeeded. The naive mode is the check-then-decrement that the engine must beat.
 */
import { createInterface } from "node:readline";

import { HoldEngine } from "../../../app/core/inventory/index.ts";
import { saleTag } from "../../../app/core/keys.ts";
import { createRedis } from "../../../app/core/redis.ts";

const [mode, saleId, countText, workerId] = process.argv.slice(2);
if (!saleId || !countText || !workerId || (mode !== "engine" && mode !== "naive")) {
  throw new Error("usage: oversell.worker.ts engine|naive <saleId> <count> <workerId>");
}
const count = Number(countText);
const redis = createRedis();
await redis.ping();
const engine = new HoldEngine(redis);
// Same key the test seeds; its tag keeps it on the sale's slot in Cluster mode.
const naiveKey = `hf:${saleTag(saleId)}:naive`;

async function naiveReserve(): Promise<boolean> {
  const available = Number(await redis.get(naiveKey));
  if (available < 1) return false;
  await redis.decrby(naiveKey, 1);
  return true;
}

async function engineReserve(i: number): Promise<boolean> {
  const result = await engine.reserve(saleId!, {
    customerId: `w${workerId}-c${i}`,
    requestId: `w${workerId}-r${i}`,
    lines: [{ itemId: "hot", quantity: 1 }],
    ttlMs: 600_000,
  });
  return result.outcome === "reserved";
}

process.stdout.write("ready\n");
const input = createInterface({ input: process.stdin });
for await (const line of input) {
  if (line.trim() === "go") break;
}
const results = await Promise.all(Array.from({ length: count }, (_, i) => (mode === "naive" ? naiveReserve() : engineReserve(i))));
process.stdout.write(`${JSON.stringify({ successes: results.filter(Boolean).length })}\n`);
input.close();
await redis.quit();

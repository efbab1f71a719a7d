import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { afterAll, beforeAll, expect, it } from "vitest";

import { DEMO_SALE } from "../../app/api/demo/demoSale.ts";
import { startThrowawayRedis } from "../support/redis.ts";

const dir = mkdtempSync(join(tmpdir(), "holdfast-demo-start-"));
let redis: { url: string; stop: () => void };
beforeAll(async () => {
  redis = await startThrowawayRedis();
});
afterAll(() => {
  redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `npm start` with nothing configured prints where the demo store is, and the page works at once. */
it("npm start makes a demo sale and prints the demo store's URL", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
    // A Redis of its own keeps the demo sale (and the worker's sweeps) out of the shared one.
    env: { ...process.env, REDIS_CLUSTER_NODES: "", REDIS_URL: redis.url, PORT: "0", DATABASE_URL: `file:${join(dir, "demo.db")}` },
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  let output = "";
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  let demoUrl = "";
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      output += `${line}\n`;
      const match = /demo store:\s+(http:\/\/\S+\/demo)\s+\(demo sale (\w+), created now/.exec(line);
      if (match?.[1]) demoUrl = match[1];
      if (line.includes("press Ctrl+C")) break;
    }
    expect(demoUrl, output).not.toBe("");
    const page = await fetch(demoUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const item of DEMO_SALE.items) expect(html).toContain(item.title);
    const sale = /"sale":"(\w+)"/.exec(html)?.[1];
    const stock = await fetch(new URL(`/v1/sales/${sale}/stock`, demoUrl));
    expect(stock.status).toBe(200);
    expect(((await stock.json()) as { items: unknown[] }).items).toHaveLength(DEMO_SALE.items.length);
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exited).toBe(0);
}, 180_000);

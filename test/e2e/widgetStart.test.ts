import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, expect, it } from "vitest";

import { DEMO_SALE } from "../../app/api/demo/demoSale.ts";
import { spawnHoldfast } from "../support/holdfastProcess.ts";
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
  // A Redis of its own keeps the demo sale (and the worker's sweeps) out of the shared one.
  const started = await spawnHoldfast(
    { REDIS_URL: redis.url, PORT: "0", DATABASE_URL: `file:${join(dir, "demo.db")}` },
    /demo store:\s+(http:\/\/\S+\/demo)\s+\(demo sale (\w+), created now/,
  );
  const demoUrl = started.match[1] as string;
  try {
    const page = await fetch(demoUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const item of DEMO_SALE.items) expect(html).toContain(item.title);
    const sale = /"sale":"(\w+)"/.exec(html)?.[1];
    const stock = await fetch(new URL(`/v1/sales/${sale}/stock`, demoUrl));
    expect(stock.status).toBe(200);
    expect(((await stock.json()) as { items: unknown[] }).items).toHaveLength(DEMO_SALE.items.length);
  } finally {
    started.child.kill("SIGTERM");
  }
  expect(await started.exited, started.output()).toBe(0);
}, 180_000);

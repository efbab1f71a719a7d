import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, expect, it } from "vitest";

import { buildApp, type App } from "../../app/composition/web.server.ts";
import { silentLogger } from "../../app/core/logger.ts";
import { HoldfastQueues, QUEUE_NAMES } from "../../app/core/queues/index.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { freshDatabase, type TestDatabase } from "../db/databases.ts";
import { uniqueNamespace } from "../core/orders/harness.ts";
import { testRedisConfig } from "../support/redis.ts";
import { Shopper } from "../support/storefront.ts";

/** /metrics through the real app (buildApp), scraped over HTTP. */
const ADMIN_TOKEN = `metrics-admin-${randomBytes(16).toString("hex")}`;
const METRICS_TOKEN = `metrics-scraper-${randomBytes(16).toString("hex")}`;
const namespace = uniqueNamespace("metrics");
let database: TestDatabase;
let app: App;
let base: string;

beforeAll(async () => {
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  app = buildApp({
    redis: testRedisConfig(),
    databaseUrl: database.url,
    logger: silentLogger,
    adminToken: ADMIN_TOKEN,
    // Rooms of its own: workers of other test files tick every room of the shared registry
    // (this sale admits everyone), which would move shoppers from waiting to admitted.
    roomRegistryKey: `hf:rooms:test-${namespace}`,
    env: {
      HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      HOLDFAST_QUEUE_NAMESPACE: namespace,
      HOLDFAST_METRICS_TOKEN: METRICS_TOKEN,
    } as NodeJS.ProcessEnv,
    breakers: () => [{ storeId: "st_metrics", platform: "shopify", state: "open", retryAfterMs: 1_000 }],
  });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

async function scrape(token = ADMIN_TOKEN): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const inner = line.slice(name.length + 1, line.lastIndexOf("}"));
    const parts = inner.split(/,(?=[a-z_]+=")/);
    if (wanted.every((pair) => parts.includes(pair))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

it("is behind the admin token or HOLDFAST_METRICS_TOKEN", async () => {
  const none = await fetch(`${base}/metrics`);
  expect(none.status).toBe(401);
  expect(await none.json()).toMatchObject({ error: { code: "unauthorized" } });
  expect((await scrape("not-the-token-at-all-0000000000")).status).toBe(401);
  const admin = await scrape();
  expect(admin.status).toBe(200);
  expect(admin.type).toBe("text/plain; version=0.0.4; charset=utf-8");
  expect((await scrape(METRICS_TOKEN)).status).toBe(200);
});

it("counts requests by route and status with a latency histogram, and reports holds, rooms, stock, queues and breakers", async () => {
  const { sale } = await app.sales.create({
    name: "Metrics drop",
    items: [{ title: "Shoe", allocation: 20 }],
    holdMinutes: 10,
    perCustomerLimit: 0,
    admission: { mode: "off" },
  });
  await app.sales.start(sale.id);
  const itemId = sale.items[0]?.id as string;
  const shopper = new Shopper(base, sale.id);
  expect((await shopper.join()).status).toBe(201);
  expect((await shopper.join()).status).toBe(201);
  const held = await shopper.hold([{ itemId, quantity: 2 }]);
  expect(held.status).toBe(201);
  expect((await shopper.request("GET", "/v1/sales/no-such-sale/status", { bearer: shopper.ticket })).status).toBe(404);
  const queues = new HoldfastQueues(app.redis, { namespace });
  await queues.queue(QUEUE_NAMES.checkout).add("checkout", { saleId: sale.id, orderId: "co-later" }, { jobId: "co-later", delay: 60_000 });

  const { text } = await scrape(METRICS_TOKEN);
  // Every sample line is well formed, and every family has its HELP and TYPE.
  for (const line of text.trimEnd().split("\n")) {
    expect(line).toMatch(
      /^(# (HELP|TYPE) [a-zA-Z_:][\w:]* .+|[a-zA-Z_:][\w:]*(\{[a-zA-Z_]\w*="(?:[^"\\]|\\.)*"(,[a-zA-Z_]\w*="(?:[^"\\]|\\.)*")*\})? (-?[\d.]+(e[+-]?\d+)?|\+Inf|-Inf|NaN))$/,
    );
  }
  const tickets = { route: "/v1/sales/:saleId/tickets", method: "POST" };
  expect(sample(text, "holdfast_http_requests_total", { ...tickets, status: "201" })).toBe(2);
  expect(sample(text, "holdfast_http_request_duration_seconds_count", tickets)).toBe(2);
  expect(sample(text, "holdfast_http_request_duration_seconds_bucket", { ...tickets, le: "+Inf" })).toBe(2);
  expect(sample(text, "holdfast_http_requests_total", { route: "/v1/sales/:saleId/status", method: "GET", status: "404" })).toBe(1);
  expect(sample(text, "holdfast_http_requests_total", { route: "/v1/sales/:saleId/holds", method: "POST", status: "201" })).toBe(1);
  expect(sample(text, "holdfast_hold_operations_total", { operation: "reserve", outcome: "reserved" })).toBe(1);
  expect(sample(text, "holdfast_sale_units", { sale: sale.id, item: itemId, state: "held" })).toBe(2);
  expect(sample(text, "holdfast_sale_units", { sale: sale.id, item: itemId, state: "available" })).toBe(18);
  expect(sample(text, "holdfast_sale_active_holds", { sale: sale.id })).toBe(1);
  expect(sample(text, "holdfast_room_waiting", { sale: sale.id })).toBe(2);
  expect(sample(text, "holdfast_room_admitted", { sale: sale.id })).toBe(0);
  expect(sample(text, "holdfast_queue_jobs", { queue: "checkout", state: "delayed" })).toBe(1);
  expect(sample(text, "holdfast_queue_jobs", { queue: "order-events", state: "waiting" })).toBe(0);
  expect(sample(text, "holdfast_breaker_state", { store: "st_metrics", platform: "shopify", state: "open" })).toBe(1);
  expect(sample(text, "holdfast_breaker_state", { store: "st_metrics", platform: "shopify", state: "closed" })).toBe(0);

  // Releasing the hold shows in the next scrape.
  const release = await fetch(`${base}/v1/holds/${String(held.body.holdId)}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${String(held.body.token)}` },
  });
  expect(release.status).toBe(204);
  const after = (await scrape()).text;
  expect(sample(after, "holdfast_hold_operations_total", { operation: "release", outcome: "released" })).toBe(1);
  expect(sample(after, "holdfast_sale_units", { sale: sale.id, item: itemId, state: "held" })).toBe(0);

  await app.sales.end(sale.id);
  await queues.queue(QUEUE_NAMES.checkout).obliterate({ force: true });
  await queues.close();
});

it("counts oversold units per sale and item, as recorded with the orders in Redis", async () => {
  const { sale } = await app.sales.create({
    name: "Oversold drop",
    items: [{ title: "Cap", allocation: 2 }],
    holdMinutes: 5,
    perCustomerLimit: 0,
    admission: { mode: "off" },
  });
  await app.sales.start(sale.id);
  const itemId = sale.items[0]?.id as string;
  const settled = await app.holds.settleOrder(sale.id, { orderRef: "platform-1", holdIds: [], lines: [{ itemId, quantity: 5 }] });
  expect(settled).toMatchObject({ taken: [{ itemId, quantity: 2 }], oversold: [{ itemId, quantity: 3 }] });
  expect(sample((await scrape()).text, "holdfast_oversold_units_total", { sale: sale.id, item: itemId })).toBe(3);
  await app.holds.settleOrder(sale.id, { orderRef: "platform-2", holdIds: [], lines: [{ itemId, quantity: 1 }] });
  const text = (await scrape()).text;
  expect(text).toContain("# TYPE holdfast_oversold_units_total counter");
  expect(sample(text, "holdfast_oversold_units_total", { sale: sale.id, item: itemId })).toBe(4);
  await app.sales.end(sale.id);
});

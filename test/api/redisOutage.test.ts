import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildApp, type App } from "../../app/composition/web.server.ts";
import { STOP_DEADLINE_MS } from "../../app/composition/shutdown.ts";
import { startWorker, type RunningWorker } from "../../app/composition/worker.server.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { silentLogger } from "../../app/core/logger.ts";
import { freshDatabase, type TestDatabase } from "../db/databases.ts";
import { RedisProxy } from "../support/redisProxy.ts";
import { Shopper } from "../support/storefront.ts";

// Issue #12, failure 5: with Redis unreachable the storefront answered 500 internal_error after
// 6-10 s, without Retry-After. Here the whole server (web + in-process worker) talks to Redis
// through a TCP proxy the test controls: 5 s hung (nothing answers), then 5 s refused.

const OUTAGE_HALF_MS = 5_000;
const SHOPPERS = 8;

let proxy: RedisProxy;
let database: TestDatabase;
let app: App;
let worker: RunningWorker;
let base: string;
let direct: Redis;

beforeAll(async () => {
  proxy = await RedisProxy.start();
  direct = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  const env = { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"), HOLDFAST_QUEUE_NAMESPACE: `hf-outage-${randomBytes(4).toString("hex")}` };
  app = buildApp({ redis: { mode: "standalone", url: proxy.url }, databaseUrl: database.url, logger: silentLogger, env });
  worker = startWorker(app, silentLogger, { env, ledgerIntervalMs: 500 });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  proxy?.restore();
  // A graceful stop lets jobs in flight finish, and after an outage one may still be waiting on
  // Redis; the product bounds a stop by STOP_DEADLINE_MS (composition/shutdown.ts), and so does
  // this teardown before it closes the connections underneath (which ends whatever still waits).
  // CI once saw this hook pass 60 s with every assertion of the test already met.
  await Promise.race([worker?.stop(), new Promise((resolve) => setTimeout(resolve, STOP_DEADLINE_MS).unref())]);
  app?.server.closeAllConnections();
  await app?.close();
  await proxy?.close();
  await direct?.quit();
  await database?.drop();
}, 60_000);

interface Answer {
  status: number;
  code: string | null;
  retryAfter: string | null;
  ms: number;
  startedAt: number;
}

async function timed(shopper: Shopper, method: string, path: string, init: { body?: unknown; bearer?: string } = {}): Promise<Answer> {
  const started = performance.now();
  const answer = await shopper.request(method, path, init);
  const error = answer.body?.error as { code?: string } | undefined;
  return {
    status: answer.status,
    code: error?.code ?? null,
    retryAfter: answer.headers.get("retry-after"),
    ms: performance.now() - started,
    startedAt: started,
  };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

describe("the storefront while Redis is away for 10 s", () => {
  it("answers 503 with Retry-After at once, never 500, keeps every acknowledged order, and recovers", async () => {
    const details = await app.sales.create({
      name: "Outage drop",
      items: [
        { title: "Tee", allocation: 40 },
        { title: "Cap", allocation: 40 },
      ],
      holdMinutes: 10,
      perCustomerLimit: 0,
      admission: { mode: "off" },
    });
    const saleId = details.sale.id;
    await app.sales.start(saleId);
    const items = details.sale.items.map((item) => item.id);
    const shoppers = Array.from({ length: SHOPPERS }, () => new Shopper(base, saleId));

    // Before: every shopper holds one unit; half of them check out (acknowledged orders).
    const acknowledged: { orderId: string; token: string }[] = [];
    const holds: { shopper: Shopper; token: string }[] = [];
    for (const [i, shopper] of shoppers.entries()) {
      const hold = await shopper.hold([{ itemId: items[i % 2] as string, quantity: 1 }]);
      expect(hold.status).toBe(201);
      if (i % 2 === 0) {
        const order = await shopper.request("POST", "/v1/checkout", { body: { holdToken: hold.body.token, payment: { method: "test" } } });
        expect(order.status).toBe(202);
        acknowledged.push({ orderId: String(order.body.orderId), token: String(order.body.orderToken) });
      } else {
        holds.push({ shopper, token: String(hold.body.token) });
      }
    }

    // The outage: every shopper keeps asking (status, holds, stock, joins, checkout of a held unit).
    const answers: Answer[] = [];
    const control: number[] = [];
    let outage = true;
    const during = shoppers.map(async (shopper, i) => {
      for (let n = 0; outage; n++) {
        const kind = (n + i) % 5;
        if (kind === 0) answers.push(await timed(shopper, "GET", `/v1/sales/${saleId}/stock`));
        else if (kind === 1)
          answers.push(
            await timed(shopper, "POST", `/v1/sales/${saleId}/holds`, {
              body: { lines: [{ itemId: items[n % 2], quantity: 1 }], requestId: `outage-${i}-${n}` },
            }),
          );
        else if (kind === 2) answers.push(await timed(shopper, "POST", `/v1/sales/${saleId}/tickets`));
        else if (kind === 3)
          answers.push(
            await timed(shopper, "GET", `/v1/orders/${acknowledged[i % acknowledged.length]?.orderId}`, {
              bearer: acknowledged[i % acknowledged.length]?.token,
            }),
          );
        // The control: a request that needs no Redis, timed alongside on the same (shared, busy) machine.
        else control.push((await timed(shopper, "GET", "/healthz")).ms);
      }
    });
    proxy.pause();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_HALF_MS));
    proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_HALF_MS));
    outage = false;
    await Promise.all(during);
    proxy.restore();

    const unavailable = answers.filter((answer) => answer.status === 503);
    const others = answers.filter((answer) => answer.status !== 503);
    // Requests sent before the circuit opened waited for the command timeout (1 s); every one
    // sent after the first 503 came back is refused by the open circuit.
    const circuitOpenAt = Math.min(...unavailable.map((a) => a.startedAt + a.ms));
    const beforeOpen = unavailable.filter((a) => a.startedAt < circuitOpenAt);
    const afterOpen = unavailable.filter((a) => a.startedAt >= circuitOpenAt).map((a) => a.ms);
    const p50 = percentile(afterOpen, 50);
    const p99 = percentile(afterOpen, 99);
    const max = percentile(
      unavailable.map((a) => a.ms),
      100,
    );
    const controlP50 = percentile(control, 50);
    const controlP99 = percentile(control, 99);
    console.log(
      `redis outage 10 s: ${answers.length} answers, ${unavailable.length} x 503; ${beforeOpen.length} sent before the circuit opened (max ${max.toFixed(0)} ms); ` +
        `${afterOpen.length} after: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; ` +
        `control GET /healthz p50 ${controlP50.toFixed(2)} ms, p99 ${controlP99.toFixed(2)} ms; others: ${JSON.stringify(others.map((a) => `${a.status} ${a.code ?? ""}`))}`,
    );
    expect(answers.filter((answer) => answer.status >= 500 && answer.status !== 503)).toEqual([]);
    expect(unavailable.length).toBeGreaterThan(answers.length * 0.9);
    for (const answer of unavailable) {
      expect(answer.code).toBe("service_unavailable");
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // Only requests sent before the circuit opened waited for the command timeout (1 s), one
    // or two per shopper; the rest cost what a request without Redis costs (the machine is
    // shared: compare with the control, do not trust absolute figures).
    expect(max).toBeLessThan(2_500);
    expect(beforeOpen.length).toBeLessThanOrEqual(2 * SHOPPERS);
    expect(p50).toBeLessThan(controlP50 * 2 + 5);
    expect(p99).toBeLessThan(controlP99 * 2 + 20);

    // Recovery: the circuit's probe finds Redis again; holds and checkouts work.
    await expect.poll(async () => (await shoppers[0]!.request("GET", `/v1/sales/${saleId}/stock`)).status, { timeout: 15_000, interval: 200 }).toBe(200);
    for (const { shopper, token } of holds) {
      const order = await shopper.request("POST", "/v1/checkout", { body: { holdToken: token, payment: { method: "test" } } });
      expect(order.status, JSON.stringify(order.body)).toBe(202);
      acknowledged.push({ orderId: String(order.body.orderId), token: String(order.body.orderToken) });
    }
    const reader = shoppers[0]!;
    // An order job the worker held when Redis went away keeps BullMQ's lock until it lapses
    // (OrderWorker's lockDuration, 30 s) and is picked up at the next stalled-job check (every
    // 30 s): that is the stated recovery bound for an order caught mid-flight, so wait for the
    // condition up to that bound plus a margin for a loaded machine.
    await expect
      .poll(
        async () => {
          const statuses = await Promise.all(
            acknowledged.map(async ({ orderId, token }) => (await reader.request("GET", `/v1/orders/${orderId}`, { bearer: token })).body),
          );
          return statuses.filter((order) => !(order.status === "placed" || (order.status === "failed" && (order.error as { code?: string } | undefined)?.code)))
            .length;
        },
        { timeout: 90_000, interval: 250 },
      )
      .toBe(0);

    // available + held + sold == allocated for every item, read from Redis directly.
    const stock = await direct.hgetall(`hf:{s:${saleId}}:stock`);
    for (const itemId of items) {
      const n = (field: string) => Number(stock[`${itemId}:${field}`] ?? 0);
      expect(n("avail") + n("held") + n("sold"), itemId).toBe(n("alloc"));
      expect(Math.min(n("avail"), n("held"), n("sold"))).toBeGreaterThanOrEqual(0);
    }
  }, 180_000);
});

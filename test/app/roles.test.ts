import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { processRoleFromEnv } from "../../app/composition/role.ts";
import { HoldfastQueues, QUEUE_NAMES } from "../../app/core/queues/index.ts";
import { createRedis, type RedisClient } from "../../app/core/redis.ts";
import { spawnHoldfast, type HoldfastProcess } from "../support/holdfastProcess.ts";
import { startPrivateRedis, type PrivateRedis } from "../worker/privateRedis.ts";

// HOLDFAST_ROLE: web replicas enqueue and never consume; worker replicas consume and serve
// only health. Both run as the README and the deployment files start them (app/main.ts), on
// a private Redis (the worker's admission controller walks the room registry).

const dir = mkdtempSync(join(tmpdir(), "holdfast-roles-"));
const ADMIN_TOKEN = randomBytes(24).toString("base64url");
const NAMESPACE = `hf-roles-${randomBytes(4).toString("hex")}`;
let redisServer: PrivateRedis;
let redis: RedisClient;
let queues: HoldfastQueues;

/** `app/main.ts` with a role; resolves once it prints the address it answers on. */
function startRole(role: "web" | "worker"): Promise<HoldfastProcess> {
  return spawnHoldfast(
    {
      HOLDFAST_ROLE: role,
      PORT: "0",
      REDIS_URL: redisServer.url,
      DATABASE_URL: `file:${join(dir, "roles.db")}`,
      HOLDFAST_QUEUE_NAMESPACE: NAMESPACE,
      HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      HOLDFAST_ADMIN_TOKEN: ADMIN_TOKEN,
      HOLDFAST_LOG_LEVEL: "warn",
    },
    role === "web" ? /listening on (http:\/\/\S+)/ : /health (http:\/\/\S+)\/healthz/,
  );
}

let worker: HoldfastProcess;
let web: HoldfastProcess;
const baseOf = (started: HoldfastProcess) => started.match[1] as string;

beforeAll(async () => {
  redisServer = await startPrivateRedis();
  redis = createRedis({ mode: "standalone", url: redisServer.url });
  queues = new HoldfastQueues(redis, { namespace: NAMESPACE });
  // The worker first: it migrates the new database before the web process looks at it.
  worker = await startRole("worker");
  web = await startRole("web");
}, 120_000);

afterAll(async () => {
  for (const started of [web, worker]) if (started && started.child.exitCode === null) started.child.kill("SIGKILL");
  await queues?.close();
  await redis?.quit();
  await redisServer?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const json = async (url: string, init: RequestInit = {}) => {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("HOLDFAST_ROLE", () => {
  it("a worker process serves health and readiness only; a web process says it runs no worker", async () => {
    expect(await json(`${baseOf(worker)}/healthz`)).toEqual({ status: 200, body: { status: "ok" } });
    await expect
      .poll(async () => (await json(`${baseOf(worker)}/readyz`)).body, { timeout: 30_000, interval: 200 })
      .toEqual({ status: "ready", role: "worker", checks: { redis: { ok: true }, sql: { ok: true }, worker: { ok: true } } });
    for (const path of ["/v1/sales/any/stock", "/v1/admin/sales", "/console", "/metrics"]) {
      expect(await json(`${baseOf(worker)}${path}`), path).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    }
    expect(await json(`${baseOf(web)}/readyz`)).toEqual({
      status: 200,
      body: { status: "ready", role: "web", checks: { redis: { ok: true }, sql: { ok: true } } },
    });
  });

  it("only the worker process consumes: one consumer per queue, and a web checkout is placed by the worker", async () => {
    // BullMQ names every consumer's connection: the web process has none.
    await expect.poll(async () => (await queues.queue(QUEUE_NAMES.orderEvents).getWorkers()).length, { timeout: 30_000, interval: 200 }).toBe(1);
    expect((await queues.queue(QUEUE_NAMES.checkout).getWorkers()).length).toBe(1);

    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
    const created = await json(`${baseOf(web)}/v1/admin/sales`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "Roles drop", items: [{ title: "Tee", allocation: 5 }], holdMinutes: 10, perCustomerLimit: 0, admission: { mode: "off" } }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const saleId = String(created.body.id);
    const itemId = String((created.body.items as { id: string }[])[0]?.id);
    expect((await json(`${baseOf(web)}/v1/admin/sales/${saleId}/start`, { method: "POST", headers: admin })).status).toBe(200);

    const shopper = { "x-holdfast-session": randomBytes(18).toString("base64url"), "content-type": "application/json" };
    const hold = await json(`${baseOf(web)}/v1/sales/${saleId}/holds`, {
      method: "POST",
      headers: shopper,
      body: JSON.stringify({ lines: [{ itemId, quantity: 1 }], requestId: "roles-request-1" }),
    });
    expect(hold.status, JSON.stringify(hold.body)).toBe(201);
    const checkout = await json(`${baseOf(web)}/v1/checkout`, {
      method: "POST",
      headers: shopper,
      body: JSON.stringify({ holdToken: hold.body.token, payment: { method: "test" } }),
    });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(202);
    await expect
      .poll(
        async () =>
          (
            await json(`${baseOf(web)}/v1/orders/${String(checkout.body.orderId)}`, {
              headers: { authorization: `Bearer ${String(checkout.body.orderToken)}` },
            })
          ).body.status,
        {
          timeout: 60_000,
          interval: 250,
        },
      )
      .toBe("placed");
  }, 90_000);

  it("both stop on SIGTERM with exit code 0", async () => {
    web.child.kill("SIGTERM");
    worker.child.kill("SIGTERM");
    expect(await web.exited, web.output()).toBe(0);
    expect(await worker.exited, worker.output()).toBe(0);
  }, 60_000);

  it("refuses an unknown role with one clear line", () => {
    expect(processRoleFromEnv({})).toBe("all");
    expect(processRoleFromEnv({ HOLDFAST_ROLE: "worker" })).toBe("worker");
    expect(() => processRoleFromEnv({ HOLDFAST_ROLE: "webs" })).toThrow('HOLDFAST_ROLE must be one of all, web, worker; got "webs"');
  });
});

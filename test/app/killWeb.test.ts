// A web process killed with SIGKILL under load while another keeps answering: two
// `HOLDFAST_ROLE=web` processes (app/main.ts) on the shared Redis and one SQL database, shoppers
// holding through both; one is killed mid-drop. The other never answers 5xx, no unit is
// oversold, and the dead process's holds stay in Redis, consistent and releasable elsewhere.
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, expect, it } from "vitest";

import { HoldEngine } from "../../app/core/inventory/index.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { freshDatabase, type TestDatabase } from "../db/databases.ts";
import { expectInvariant } from "../core/inventory/invariant.ts";
import { spawnHoldfast, type HoldfastProcess } from "../support/holdfastProcess.ts";
import { connectTestRedis } from "../support/redis.ts";
import type { RedisClient } from "../../app/core/redis.ts";

const ADMIN_TOKEN = randomBytes(24).toString("base64url");
const ALLOCATION = 3_000;
const SHOPPERS_PER_PROCESS = 4;
const HOLDS_BEFORE_KILL = 40;
const HOLDS_AFTER_KILL = 60;

let database: TestDatabase;
let redis: RedisClient;
let processes: HoldfastProcess[] = [];

beforeAll(async () => {
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  redis = connectTestRedis();
  // One key and one database for both: either may verify the other's hold tokens.
  const env = {
    HOLDFAST_ROLE: "web",
    PORT: "0",
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    DATABASE_URL: database.url,
    HOLDFAST_QUEUE_NAMESPACE: `hf-killweb-${randomBytes(4).toString("hex")}`,
    HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    HOLDFAST_ADMIN_TOKEN: ADMIN_TOKEN,
    HOLDFAST_HOLD_UNITS_PER_ADDRESS: "0",
    HOLDFAST_LOG_LEVEL: "warn",
  };
  processes = await Promise.all([spawnHoldfast(env, /listening on (http:\/\/\S+)/), spawnHoldfast(env, /listening on (http:\/\/\S+)/)]);
}, 120_000);

afterAll(async () => {
  for (const started of processes) if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill("SIGKILL");
  await Promise.all(processes.map((started) => started.exited));
  await redis?.quit();
  await database?.drop();
}, 60_000);

const call = async (url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) => {
  const res = await fetch(url, {
    method: init.method ?? "GET",
    headers: { "content-type": "application/json", ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
};

interface Held {
  holdId: string;
  token: string;
}

it("SIGKILL of one web process mid-drop: the other answers every shopper, 0 oversold, the dead one's holds stay consistent", { timeout: 180_000 }, async () => {
  const [doomed, survivor] = processes.map((started) => started.match[1] as string) as [string, string];
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const created = await call(`${survivor}/v1/admin/sales`, {
    method: "POST",
    headers: admin,
    body: { name: "Kill a web process", items: [{ title: "Tee", allocation: ALLOCATION }], holdMinutes: 10, perCustomerLimit: 0, admission: { mode: "off" } },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const saleId = String(created.body.id);
  const itemId = String((created.body.items as { id: string }[])[0]?.id);
  expect((await call(`${survivor}/v1/admin/sales/${saleId}/start`, { method: "POST", headers: admin })).status).toBe(200);

  const held = { doomed: [] as Held[], survivor: [] as Held[] };
  const survivorRefusals: string[] = [];
  let killed = false;
  let running = true;
  const shop = async (target: "doomed" | "survivor") => {
    const base = target === "doomed" ? doomed : survivor;
    while (running && !(target === "doomed" && killed)) {
      const session = randomBytes(18).toString("base64url");
      const answer = await call(`${base}/v1/sales/${saleId}/holds`, {
        method: "POST",
        headers: { "x-holdfast-session": session },
        body: { lines: [{ itemId, quantity: 1 }], requestId: randomBytes(8).toString("hex") },
      }).catch(() => null); // the killed process's connections reset
      if (target === "survivor" && answer && answer.status !== 201) survivorRefusals.push(`${answer.status} ${JSON.stringify(answer.body)}`);
      if (answer?.status === 201) held[target].push({ holdId: String(answer.body.holdId), token: String(answer.body.token) });
    }
  };
  const shoppers = [
    ...Array.from({ length: SHOPPERS_PER_PROCESS }, () => shop("doomed")),
    ...Array.from({ length: SHOPPERS_PER_PROCESS }, () => shop("survivor")),
  ];

  try {
    await expect.poll(() => Math.min(held.doomed.length, held.survivor.length), { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(HOLDS_BEFORE_KILL);
    const [doomedProcess] = processes as [HoldfastProcess];
    doomedProcess.child.kill("SIGKILL");
    killed = true;
    expect(await doomedProcess.exited).toBeNull();
    const survivorAtKill = held.survivor.length;
    await expect.poll(() => held.survivor.length - survivorAtKill, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(HOLDS_AFTER_KILL);
  } finally {
    running = false;
    await Promise.all(shoppers);
  }
  expect(survivorRefusals, processes[1]?.output()).toEqual([]);

  // Every hold either process granted is in Redis (an answered hold was made before its
  // answer; a request cut off by the kill may have made one more that nobody saw).
  const holds = new HoldEngine(redis);
  const snapshot = await holds.snapshot(saleId);
  expectInvariant(snapshot);
  const granted = held.doomed.length + held.survivor.length;
  expect(snapshot?.items[itemId]?.held).toBeGreaterThanOrEqual(granted);
  expect(snapshot?.items[itemId]?.held).toBeLessThanOrEqual(granted + SHOPPERS_PER_PROCESS);

  // A hold granted by the dead process is released through the survivor with its token.
  const orphan = held.doomed[0] as Held;
  const released = await fetch(`${survivor}/v1/holds/${orphan.holdId}`, { method: "DELETE", headers: { authorization: `Bearer ${orphan.token}` } });
  expect(released.status, await released.text()).toBe(204);
  const after = await holds.snapshot(saleId);
  expectInvariant(after);
  expect(after?.items[itemId]?.held).toBe((snapshot?.items[itemId]?.held ?? 0) - 1);
});

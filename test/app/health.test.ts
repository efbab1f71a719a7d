import type { AddressInfo } from "node:net";

import { Redis } from "ioredis";
import { afterAll, expect, it } from "vitest";

import { silentLogger } from "../../app/core/logger.ts";
import { createHttpServer } from "../../app/server.ts";

const deadRedis = new Redis("redis://127.0.0.1:1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
deadRedis.on("error", () => undefined);
const server = createHttpServer({
  logger: silentLogger,
  readiness: [
    { name: "redis", check: async () => void (await deadRedis.ping()) },
    { name: "sql", check: () => new Promise<void>(() => undefined) },
  ],
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it("stays live while dependencies are down, and reports not ready naming each one", async () => {
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(503);
  const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }> };
  expect(body.status).toBe("unavailable");
  expect(body.checks.redis?.ok).toBe(false);
  expect(body.checks.sql).toEqual({ ok: false, error: "no answer within 1000 ms" });
});

it("answers unknown paths with a JSON 404 and other methods with a 405 naming the allowed one", async () => {
  const missing = await fetch(`${base}/nowhere`);
  expect(missing.status).toBe(404);
  expect(missing.headers.get("content-type")).toMatch(/application\/json/);
  expect(await missing.json()).toEqual({ error: { code: "not_found", message: "Nothing is served at GET /nowhere." } });
  const wrongMethod = await fetch(`${base}/healthz`, { method: "POST" });
  expect(wrongMethod.status).toBe(405);
  expect(wrongMethod.headers.get("allow")).toBe("GET");
  expect(await wrongMethod.json()).toMatchObject({ error: { code: "method_not_allowed" } });
});

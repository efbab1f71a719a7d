import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, expect, it } from "vitest";

import { spawnHoldfast } from "../support/holdfastProcess.ts";
import { startThrowawayRedis } from "../support/redis.ts";

const dir = mkdtempSync(join(tmpdir(), "holdfast-start-"));
let redis: { url: string; stop: () => void };
beforeAll(async () => {
  redis = await startThrowawayRedis();
});
afterAll(() => {
  redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The README's first command, minus the install: a fresh database and a Redis of its own.
 * (The private redis-server started when REDIS_URL is unset and nothing answers at the default
 * URL is proven in localRedis.test.ts; this machine's Redis answers there.)
 */
it("starts on a fresh database, answers health checks, and stops cleanly on SIGTERM", async () => {
  const started = await spawnHoldfast({ REDIS_URL: redis.url, PORT: "0", DATABASE_URL: `file:${join(dir, "fresh.db")}` }, /press Ctrl\+C to stop/);
  const output = started.output();
  const base = /listening on (http:\/\/\S+)/.exec(output)?.[1] as string;
  expect(output).toMatch(/using Redis at /);
  expect(output).toMatch(/applied \d+ migration/);
  // The banner says where to look, as the README promises.
  for (const path of ["/demo", "/console", "/v1/admin/sales", "/healthz", "/readyz", "/metrics"]) expect(output).toContain(`${base}${path}`);

  expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: "ready", role: "all", checks: { redis: { ok: true }, sql: { ok: true }, worker: { ok: true } } });
  const unknownSale = await fetch(`${base}/v1/sales/nope/stock`);
  expect(unknownSale.status).toBe(404);
  expect(await unknownSale.json()).toMatchObject({ error: { code: "sale_not_found" } });
  // The front page sends a newcomer to the demo store and the console.
  const front = await (await fetch(`${base}/`)).text();
  expect(front).toContain('href="/demo"');
  expect(front).toContain('href="/console"');
  const missing = await fetch(`${base}/nope`);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toMatchObject({ error: { code: "not_found" } });

  started.child.kill("SIGTERM");
  expect(await started.exited).toBe(0);
}, 180_000);

/** Runs `npm start` (minus npm) until it exits; the start must fail before it listens. */
async function failedStart(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
    env: { ...process.env, REDIS_CLUSTER_NODES: "", REDIS_URL: redis.url, PORT: "0", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, stdout, stderr };
}

it("fails with one line when the REDIS_URL it was given does not answer, instead of starting a private Redis", async () => {
  const run = await failedStart({ REDIS_URL: "redis://127.0.0.1:1", DATABASE_URL: `file:${join(dir, "redis-refused.db")}` });
  expect(run.code).toBe(1);
  expect(run.stdout).not.toMatch(/private redis-server|listening on/);
  expect(run.stderr).toBe(
    "[holdfast] cannot start: No Redis answers at REDIS_URL (redis://127.0.0.1:1): start that Redis or correct REDIS_URL; unset it to use a local one (npm start starts a private redis-server when none runs).\n",
  );
}, 180_000);

it("fails with one line, password redacted, when the DATABASE_URL it was given does not answer", async () => {
  const run = await failedStart({ DATABASE_URL: "postgresql://holdfast:s3cret-pw@127.0.0.1:1/holdfast" });
  expect(run.code).toBe(1);
  expect(run.stdout).not.toMatch(/listening on/);
  expect(run.stderr).toBe(
    "[holdfast] cannot start: the database at postgresql://holdfast:***@127.0.0.1:1/holdfast cannot be used (connect ECONNREFUSED 127.0.0.1:1): start it or correct DATABASE_URL\n",
  );
}, 180_000);

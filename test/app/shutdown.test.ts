import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, expect, it } from "vitest";

import { spawnHoldfast } from "../support/holdfastProcess.ts";
import { startPrivateRedis, type PrivateRedis } from "../worker/privateRedis.ts";

// A process asked to stop exits whatever its dependencies do. Here Redis dies under a running
// server (web + in-process worker); SIGTERM must still end it: BullMQ and ioredis never finish
// closing against a dead Redis, so the shutdown's deadline (composition/shutdown.ts) ends it.
// Before the deadline existed this process never exited and the test timed out.

const dir = mkdtempSync(join(tmpdir(), "holdfast-shutdown-"));
let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("SIGTERM ends the server even when Redis is dead", async () => {
  const started = await spawnHoldfast(
    {
      PORT: "0",
      REDIS_URL: redis.url,
      DATABASE_URL: `file:${join(dir, "shutdown.db")}`,
      HOLDFAST_QUEUE_NAMESPACE: `hf-shutdown-${randomBytes(4).toString("hex")}`,
      HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      HOLDFAST_LOG_LEVEL: "fatal",
    },
    /press Ctrl\+C to stop/,
  );

  await redis.crash();
  started.child.kill("SIGTERM");
  const code = await started.exited;
  expect(started.output()).toContain("SIGTERM: shutting down");
  // 0 when everything closed, 1 when the deadline had to end it; never a hang.
  expect([0, 1], started.output()).toContain(code);
}, 120_000);

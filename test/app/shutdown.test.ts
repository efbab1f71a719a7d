import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { afterAll, beforeAll, expect, it } from "vitest";

import { ROOT } from "../db/databases.ts";
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
  const child = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      REDIS_URL: redis.url,
      REDIS_CLUSTER_NODES: "",
      DATABASE_URL: `file:${join(dir, "shutdown.db")}`,
      HOLDFAST_QUEUE_NAMESPACE: `hf-shutdown-${randomBytes(4).toString("hex")}`,
      HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      HOLDFAST_LOG_LEVEL: "fatal",
    },
  });
  let output = "";
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    output += `${line}\n`;
    if (line.includes("press Ctrl+C to stop")) break;
  }
  lines.on("line", (line) => (output += `${line}\n`));

  await redis.crash();
  child.kill("SIGTERM");
  const code = await exited;
  expect(output).toContain("SIGTERM: shutting down");
  // 0 when everything closed, 1 when the deadline had to end it; never a hang.
  expect([0, 1], output).toContain(code);
}, 120_000);

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { afterAll, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "holdfast-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The README's first command, minus the install: a fresh database and no Redis configured. */
it("starts with no configuration, answers health checks, and stops cleanly on SIGTERM", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
    env: { ...process.env, PORT: "0", DATABASE_URL: `file:${join(dir, "fresh.db")}`, REDIS_URL: "redis://127.0.0.1:1" },
  });
  let output = "";
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));

  let base = "";
  for await (const line of createInterface({ input: child.stdout })) {
    output += `${line}\n`;
    const match = /listening on (http:\/\/\S+)/.exec(line);
    if (match?.[1]) {
      base = match[1];
      break;
    }
  }
  expect(output).toMatch(/started a private redis-server/);
  expect(output).toMatch(/applied \d+ migration/);

  expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: "ready", role: "all", checks: { redis: { ok: true }, sql: { ok: true }, worker: { ok: true } } });
  const unknownSale = await fetch(`${base}/v1/sales/nope/stock`);
  expect(unknownSale.status).toBe(404);
  expect(await unknownSale.json()).toMatchObject({ error: { code: "sale_not_found" } });
  const missing = await fetch(`${base}/nope`);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toMatchObject({ error: { code: "not_found" } });

  child.kill("SIGTERM");
  expect(await exited).toBe(0);
}, 60_000);

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";

import { afterAll, beforeAll, expect, it } from "vitest";

import { saleInventoryKeys } from "../../app/core/keys.ts";
import { orderEventJobId } from "../../app/core/orders/index.ts";
import { createRedis } from "../../app/core/redis.ts";
import { ROOT } from "../db/databases.ts";
import { OrdersHarness } from "../core/orders/harness.ts";
import { SqlKeyringSource } from "../../app/stores/keyrings.server.ts";
import { signHoldToken } from "../support/holdTokens.ts";
import { startPrivateRedis, type PrivateRedis } from "./privateRedis.ts";

// A private Redis: the standalone worker runs the admission controller on the real room
// registry, which must not meet the other tests' rooms.
let server: PrivateRedis;
beforeAll(async () => {
  server = await startPrivateRedis();
});
afterAll(() => server?.stop());

it("`tsx app/worker.ts` runs on its own: processes order events, persists the ledger, stops on SIGTERM", async () => {
  const h = await OrdersHarness.create("standalone", { redis: createRedis({ mode: "standalone", url: server.url }) });
  try {
    const sale = await h.createSale("standalone");
    const holdId = await h.reserve(sale.saleId);
    // The worker verifies the hold token with the store's real keys (sealed with the master key it is given).
    const masterKey = randomBytes(32);
    const keyring = await new SqlKeyringSource(h.db, masterKey).forStore(null);
    const event = { ...h.event(sale, { platformOrderRef: "S-1", holdId }), holdTokens: [signHoldToken(sale.saleId, holdId, { keyring })] };
    await h.intake.enqueue(event);

    const child = spawn(process.execPath, ["--import", "tsx", "app/worker.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        REDIS_URL: server.url,
        PORT: "0",
        REDIS_CLUSTER_NODES: "",
        DATABASE_URL: h.database.url,
        HOLDFAST_QUEUE_NAMESPACE: h.namespace,
        HOLDFAST_ENCRYPTION_KEY: masterKey.toString("base64"),
      },
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const logs: { msg: string; queues?: string }[] = [];
    const started = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        const entry = JSON.parse(line) as { msg: string; queues?: string };
        logs.push(entry);
        if (entry.msg === "worker started") resolve();
      });
    });
    await Promise.race([started, exited.then(() => Promise.reject(new Error(`worker exited: ${stderr}`)))]);
    expect(logs.find((entry) => entry.msg === "worker started")?.queues).toBe(h.namespace);

    await h.waitForJob(orderEventJobId(event.eventId));
    expect(await h.repository.find(sale.saleId, "S-1")).toMatchObject({ status: "committed", holdId });
    // allocate, reserve, commit: all in SQL, and the stream trimmed.
    await h.waitFor(async () => (await h.db.ledgerEvent.count({ where: { saleId: sale.saleId } })) === 3, "the ledger to be persisted");
    await h.waitFor(async () => (await h.redis.xlen(saleInventoryKeys(sale.saleId).ledger)) === 0, "the stream to be trimmed");

    child.kill("SIGTERM");
    expect(await exited, stderr).toBe(0);
  } finally {
    await h.close();
  }
}, 40_000);

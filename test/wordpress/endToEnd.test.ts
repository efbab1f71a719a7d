/**
 * End to end across both languages: a real core (HTTP, Redis, SQLite, worker) and the real
 * plugin on the WooCommerce stand-in (wordpress-plugin/holdfast/tests/bin/shop.php), talking
 * over HTTP with signed requests. The store is registered through the connector as the
 * plugin's Connect step does; the plugin fetches the store's keys and drops from the core;
 * a shopper without a hold is refused at add to cart and at checkout, a raised quantity is
 * refused, a shopper with a hold buys, and the order WooCommerce reports commits that hold.
 */
import { createHmac, randomBytes } from "node:crypto";
import { execFile, spawnSync } from "node:child_process";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildApp, type App } from "../../app/composition/web.server.ts";
import { startWorker, type RunningWorker } from "../../app/composition/worker.server.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { signRequest } from "../../app/core/tokens/requestSignature.ts";
import { signToken } from "../../app/core/tokens/index.ts";
import { quietLogger } from "../core/orders/harness.ts";
import { freshDatabase, type TestDatabase } from "../db/databases.ts";
import { testRedisConfig } from "../support/redis.ts";

const execFileAsync = promisify(execFile);
const SHOP = join(import.meta.dirname, "../../wordpress-plugin/holdfast/tests/bin/shop.php");
const ADMIN = `admin-${randomBytes(16).toString("hex")}`;
let database: TestDatabase;
let app: App;
let worker: RunningWorker;
let base: string;

beforeAll(async () => {
  const php = spawnSync("php", ["--version"]);
  if (php.error || php.status !== 0) throw new Error("php is not installed: apt-get install -y --no-install-recommends php-cli php-curl (.ci/run does it)");
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  app = buildApp({
    redis: testRedisConfig(),
    databaseUrl: database.url,
    logger: quietLogger,
    adminToken: ADMIN,
    env: { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
    routes: { wooConnector: { env: {} }, wooWebhooks: { worker: () => worker, inboxSource: `e2e-${randomBytes(4).toString("hex")}` } },
  });
  worker = startWorker(app, quietLogger, { env: {}, queueNamespace: `hf-t-wooe2e-${randomBytes(4).toString("hex")}`, ledgerIntervalMs: 200 });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await worker?.stop();
  await app?.close();
  await database?.drop();
});

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Visit {
  add_without_hold: { added: boolean; codes: string[] };
  checkout_without_hold: { order: boolean; codes: string[] };
  add_with_hold: { added: boolean; codes: string[] };
  raise_quantity: { raised: boolean; codes: string[] };
  checkout_with_hold: { order: boolean; codes: string[] };
  order: { id: number; line_items: { product_id: number; variation_id: number; quantity: number; meta_data: { key: string; value: string }[] }[] };
}

describe("WooCommerce end to end: plugin (PHP) and core (TypeScript)", () => {
  it("refuses a shopper without a hold and a raised quantity, and commits the hold of the shopper who bought", async () => {
    // The plugin's Connect step, as the plugin signs it.
    const code = (
      (await (await fetch(`${base}/v1/admin/connector/codes`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { code: string }
    ).code;
    const webhookSecret = randomBytes(24).toString("hex");
    const body = JSON.stringify({
      code,
      siteUrl: `https://e2e-${randomBytes(3).toString("hex")}.example`,
      name: "E2E shop",
      consumerKey: `ck_${randomBytes(20).toString("hex")}`,
      consumerSecret: `cs_${randomBytes(20).toString("hex")}`,
      webhookSecret,
    });
    const registered = await fetch(`${base}/v1/connector/register`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-holdfast-signature": signRequest(code, { method: "POST", target: "/v1/connector/register", body }, Math.floor(Date.now() / 1000)),
      },
      body,
    });
    expect(registered.status).toBe(201);
    const { storeId, connectorSecret } = (await registered.json()) as { storeId: string; connectorSecret: string };

    const productId = 4000 + Math.floor(Math.random() * 1e6);
    const created = await app.sales.create({
      name: "E2E drop",
      storeId,
      items: [{ title: "Tee", allocation: 10, platformRef: String(productId) }],
      holdMinutes: 10,
      perCustomerLimit: 0,
      admission: { mode: "off" },
      bypassPolicy: "flag",
    });
    await app.sales.start(created.sale.id);
    const item = created.sale.items[0]!;
    const hold = await app.holds.reserve(created.sale.id, {
      customerId: "session:e2e",
      lines: [{ itemId: item.id, quantity: 1 }],
      requestId: `req-${randomBytes(4).toString("hex")}`,
      ttlMs: 600_000,
    });
    if (hold.outcome !== "reserved") throw new Error("no hold");
    const now = Math.floor(Date.now() / 1000);
    // Signed as the storefront signs a hold token, with the store's keys.
    const token = signToken(
      { typ: "hold", s: created.sale.id, h: hold.holdId, sh: "session-binding", iat: now, exp: now + 600 },
      await app.storefront.keyrings.forStore(storeId),
    );

    // Asynchronously: the core answering the plugin runs in this process's event loop.
    const run = await execFileAsync("php", [SHOP, base, storeId, connectorSecret, String(productId), token], { encoding: "utf8", timeout: 60_000 }).catch(
      (error: { stdout?: string; stderr?: string }) => {
        throw new Error(`shop.php failed: ${error.stdout ?? ""}\n${error.stderr ?? ""}`);
      },
    );
    const visit = JSON.parse(run.stdout) as Visit;
    expect(visit.add_without_hold).toEqual({ added: false, codes: ["hold_required"] });
    expect(visit.checkout_without_hold).toEqual({ order: false, codes: ["hold_required"] });
    expect(visit.add_with_hold).toEqual({ added: true, codes: [] });
    expect(visit.raise_quantity).toEqual({ raised: false, codes: ["quantity_over_hold"] });
    expect(visit.checkout_with_hold).toEqual({ order: true, codes: [] });
    expect(visit.order.line_items[0]?.meta_data).toEqual([
      { key: "_holdfast_hold", value: hold.holdId },
      { key: "_holdfast_token", value: token },
    ]);

    // WooCommerce reports the order with its webhook, signed with the secret the plugin gave the core.
    const payload = JSON.stringify({
      id: visit.order.id,
      status: "processing",
      customer_id: 0,
      date_created_gmt: "2026-12-02T10:00:00",
      date_modified_gmt: "2026-12-02T10:00:01",
      meta_data: [],
      line_items: visit.order.line_items,
    });
    const delivered = await fetch(`${base}/v1/webhooks/woocommerce/${storeId}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-wc-webhook-topic": "order.created",
        "x-wc-webhook-signature": createHmac("sha256", webhookSecret).update(payload).digest("base64"),
      },
      body: payload,
    });
    expect(delivered.status).toBe(200);
    await waitFor(async () => (await app.holds.snapshot(created.sale.id))?.items[item.id]?.sold === 1, "the hold committed");
    expect((await app.holds.snapshot(created.sale.id))?.items[item.id]).toEqual({ allocated: 10, available: 9, held: 0, sold: 1 });
    // The worker records the order in SQL after the commit in Redis.
    await waitFor(async () => (await app.db.order.count({ where: { saleId: created.sale.id } })) === 1, "the order recorded");
    const order = await app.db.order.findFirstOrThrow({ where: { saleId: created.sale.id } });
    expect([order.platformOrderRef, order.status, order.bypass, order.holdId]).toEqual([String(visit.order.id), "committed", false, hold.holdId]);
  }, 60_000);
});

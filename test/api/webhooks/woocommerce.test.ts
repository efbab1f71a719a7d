// WooCommerce's webhooks through the real app and worker: signature first, then orders are
// enqueued raw and become order events in the worker (a hold committed, a bypass taken and
// flagged), redeliveries change nothing.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { drainWooDeliveries, wooWebhookRoutes, type WooWebhookDeps } from "../../../app/api/webhooks/woocommerce.ts";
import { buildApp, type App } from "../../../app/composition/web.server.ts";
import { saveStore } from "../../../app/stores/directory.server.ts";
import { startWorker, type RunningWorker } from "../../../app/composition/worker.server.ts";
import { wooWebhookDeps } from "../../../app/webhooks/woocommerce.server.ts";
import { migrateDatabase } from "../../../app/db/migrate.server.ts";
import { quietLogger } from "../../core/orders/harness.ts";
import { freshDatabase, type TestDatabase } from "../../db/databases.ts";
import { testRedisConfig } from "../../support/redis.ts";
import { orderEventsFromWooWebhook } from "../../../app/platforms/woocommerce/webhooks.ts";
import { QUEUE_NAMES } from "../../../app/core/queues/index.ts";
import { writeBackKeys } from "../../../app/core/keys.ts";
import { signToken, type HoldClaims } from "../../../app/core/tokens/index.ts";

const SECRET = `whsec_${randomBytes(16).toString("hex")}`;
let database: TestDatabase;
let app: App;
let worker: RunningWorker;
let base: string;
let storeId: string;
let hooks: WooWebhookDeps;
/** Off: the route sees no queue, as while the worker starts or its Redis queue is down. */
let queueUp = true;

beforeAll(async () => {
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  app = buildApp({
    redis: testRedisConfig(),
    databaseUrl: database.url,
    logger: quietLogger,
    env: { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
    extraRoutes: (parts) =>
      wooWebhookRoutes(
        (hooks = wooWebhookDeps(parts, () => (queueUp ? worker : undefined), quietLogger, { inboxSource: `t-${randomBytes(4).toString("hex")}` })),
      ),
  });
  worker = startWorker(app, quietLogger, { env: {}, queueNamespace: `hf-t-woohook-${randomBytes(4).toString("hex")}`, ledgerIntervalMs: 200 });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  storeId = await saveStore(app.db, app.masterKey.key, {
    platform: "woocommerce",
    domain: `woo-${randomBytes(3).toString("hex")}.example`,
    name: "Woo shop",
    credentials: { consumerKey: "ck_test", consumerSecret: "cs_test", webhookSecret: SECRET },
  });
});

afterAll(async () => {
  await worker?.stop();
  await app?.close();
  await database?.drop();
});

async function liveSale(bypassPolicy: "allow" | "flag" | "cancel" = "flag") {
  const created = await app.sales.create({
    name: "Woo drop",
    storeId,
    items: [
      { title: "Tee", allocation: 10, platformRef: `${1000 + Math.floor(Math.random() * 1e6)}` },
      { title: "Hoodie, M", allocation: 5, platformRef: `${2000 + Math.floor(Math.random() * 1e6)}:77` },
    ],
    holdMinutes: 10,
    perCustomerLimit: 0,
    admission: { mode: "off" },
    bypassPolicy,
  });
  await app.sales.start(created.sale.id);
  const [tee, hoodie] = created.sale.items;
  return { saleId: created.sale.id, tee: tee!, hoodie: hoodie! };
}

function refLine(ref: string, quantity: number, meta: { key: string; value: string }[] = []) {
  const [product, variation] = ref.split(":");
  return { product_id: Number(product), variation_id: variation ? Number(variation) : 0, quantity, meta_data: meta };
}

function order(id: number, status: string, lines: ReturnType<typeof refLine>[], modified = "2026-11-28T10:00:00") {
  return { id, status, customer_id: 42, date_created_gmt: "2026-11-28T09:59:00", date_modified_gmt: modified, meta_data: [], line_items: lines };
}

async function deliver(topic: string, payload: unknown, options: { secret?: string | null; raw?: string; store?: string } = {}) {
  const body = options.raw ?? JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-wc-webhook-topic": topic,
    "x-wc-webhook-id": "12",
    "x-wc-webhook-delivery-id": randomUUID(),
    "x-wc-webhook-source": "https://woo.example/",
  };
  const secret = options.secret === undefined ? SECRET : options.secret;
  if (secret !== null) headers["x-wc-webhook-signature"] = createHmac("sha256", secret).update(body).digest("base64");
  const res = await fetch(`${base}/v1/webhooks/woocommerce/${options.store ?? storeId}`, { method: "POST", headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The token POST /v1/sales/{sale}/holds gives the widget, signed with the store's own keys. */
async function holdToken(saleId: string, holdId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1_000);
  const claims: HoldClaims = { typ: "hold", s: saleId, h: holdId, sh: "binding", iat: now, exp: now + 600 };
  return signToken({ ...claims }, await app.storefront.keyrings.forStore(storeId));
}

/** The states of the platform-events jobs (verified deliveries) with this body. */
async function deliveryStates(body: string): Promise<string[]> {
  const jobs = await worker.queues.queue(QUEUE_NAMES.platformEvents).getJobs(["waiting", "delayed", "active", "completed", "failed", "prioritized"]);
  return Promise.all(jobs.filter((job) => (job.data as { body: string }).body === body).map((job) => job.getState()));
}

/** The deadline only bounds a broken run: a loaded machine may take long, which is not a failure. */
async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("WooCommerce webhooks", { timeout: 180_000 }, () => {
  it("commits the hold an order names, takes and flags an order without one, and drops a redelivery", async () => {
    const sale = await liveSale();
    const hold = await app.holds.reserve(sale.saleId, {
      customerId: "session:ann",
      lines: [{ itemId: sale.tee.id, quantity: 2 }],
      requestId: "req-woo-1",
      ttlMs: 600_000,
    });
    if (hold.outcome !== "reserved") throw new Error("no hold");
    // What the WordPress plugin writes on the line: the hold id and its signed token.
    const withHold = order(5001, "processing", [
      refLine(sale.tee.platformRef!, 2, [
        { key: "_holdfast_hold", value: hold.holdId },
        { key: "_holdfast_token", value: await holdToken(sale.saleId, hold.holdId) },
      ]),
    ]);
    expect(await deliver("order.created", withHold)).toMatchObject({ status: 200, body: { received: "order" } });
    const bypass = order(5002, "processing", [refLine(sale.hoodie.platformRef!, 1)]);
    expect((await deliver("order.created", bypass)).status).toBe(200);
    await waitFor(async () => (await app.db.order.count({ where: { saleId: sale.saleId } })) === 2, "both orders");
    // The same change delivered again (WooCommerce retries, or order.updated with nothing new).
    expect((await deliver("order.updated", withHold)).status).toBe(200);
    expect((await deliver("order.created", bypass)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const snapshot = await app.holds.snapshot(sale.saleId);
    expect(snapshot?.items[sale.tee.id]).toEqual({ allocated: 10, available: 8, held: 0, sold: 2 });
    expect(snapshot?.items[sale.hoodie.id]).toEqual({ allocated: 5, available: 4, held: 0, sold: 1 });
    const rows = await app.db.order.findMany({ where: { saleId: sale.saleId }, orderBy: { platformOrderRef: "asc" } });
    expect(rows.map((row) => [row.platformOrderRef, row.status, row.bypass, row.holdId])).toEqual([
      ["5001", "committed", false, hold.holdId],
      ["5002", "flagged", true, null],
    ]);
  });

  it("never trusts a hold id without its token: the line is a bypass and the hold stays", async () => {
    const sale = await liveSale();
    const hold = await app.holds.reserve(sale.saleId, {
      customerId: "session:bob",
      lines: [{ itemId: sale.tee.id, quantity: 1 }],
      requestId: "req-woo-2",
      ttlMs: 600_000,
    });
    if (hold.outcome !== "reserved") throw new Error("no hold");
    const copied = order(5101, "processing", [refLine(sale.tee.platformRef!, 1, [{ key: "_holdfast_hold", value: hold.holdId }])]);
    expect((await deliver("order.created", copied)).status).toBe(200);
    await waitFor(async () => (await app.db.order.count({ where: { saleId: sale.saleId } })) === 1, "the order");
    expect(await app.db.order.findFirst({ where: { saleId: sale.saleId } })).toMatchObject({ status: "flagged", bypass: true });
    expect((await app.holds.snapshot(sale.saleId))?.items[sale.tee.id]).toEqual({ allocated: 10, available: 8, held: 1, sold: 1 });
  });

  it("maps line meta tokens, an order-level token, and wp-admin orders as staff orders", () => {
    const items: Record<string, { saleId: string; itemId: string }> = { "11": { saleId: "s1", itemId: "a" } };
    const mapping = orderEventsFromWooWebhook({
      storeId: "st",
      payload: {
        ...order(7001, "processing", [
          refLine("11", 2, [
            { key: "_holdfast_hold", value: "h1" },
            { key: "_holdfast_token", value: "a.b.c" },
          ]),
        ]),
        created_via: "admin",
        meta_data: [{ key: "_holdfast_token", value: "d.e.f" }],
      },
      itemOf: (ref) => items[ref],
      now: 1,
    });
    expect(mapping).toMatchObject({
      outcome: "events",
      events: [{ saleId: "s1", holdId: "h1", holdTokens: ["a.b.c", "d.e.f"], createdByStaff: true, lines: [{ itemId: "a", quantity: 2 }] }],
    });
    const checkout = orderEventsFromWooWebhook({
      storeId: "st",
      payload: { ...order(7002, "processing", [refLine("11", 1, [{ key: "_holdfast_token", value: "not a token" }])]), created_via: "checkout" },
      itemOf: (ref) => items[ref],
      now: 1,
    });
    expect(checkout.outcome === "events" && checkout.events[0]).not.toHaveProperty("holdTokens");
    expect(checkout.outcome === "events" && checkout.events[0]).not.toHaveProperty("createdByStaff");
  });

  it("records WooCommerce's cancellation of an order (units sold stay sold until the merchant restocks, as for Shopify)", async () => {
    const sale = await liveSale();
    const placed = order(6001, "processing", [refLine(sale.tee.platformRef!, 3)]);
    await deliver("order.created", placed);
    await waitFor(async () => (await app.holds.snapshot(sale.saleId))?.items[sale.tee.id]?.sold === 3, "the order");
    expect((await deliver("order.updated", { ...placed, status: "cancelled", date_modified_gmt: "2026-11-28T10:05:00" })).status).toBe(200);
    await waitFor(
      async () => (await app.db.order.findFirst({ where: { saleId: sale.saleId, platformOrderRef: "6001" } }))?.status === "cancelled_after_sale",
      "the cancellation",
    );
    expect((await app.holds.snapshot(sale.saleId))?.items[sale.tee.id]).toEqual({ allocated: 10, available: 7, held: 0, sold: 3 });
  });

  it("refuses forged, unsigned and unknown-store deliveries (401), and dead-letters a signed malformed one after a 200, changing nothing", async () => {
    const sale = await liveSale();
    const payload = order(7001, "processing", [refLine(sale.tee.platformRef!, 1)]);
    expect(await deliver("order.created", payload, { secret: "not-the-secret-at-all" })).toMatchObject({
      status: 401,
      body: { error: { code: "webhook_signature_invalid" } },
    });
    expect(await deliver("order.created", payload, { secret: null })).toMatchObject({ status: 401, body: { error: { code: "webhook_signature_invalid" } } });
    expect(await deliver("order.created", payload, { store: "st_unknown" })).toMatchObject({
      status: 401,
      body: { error: { code: "webhook_not_configured" } },
    });
    // Signed but malformed: sending it again would not make it valid, so WooCommerce gets a 2xx
    // (five failures disable the webhook) and the worker dead-letters the delivery with its reason.
    const wrongShape = JSON.stringify({ id: "seven", line_items: "none" });
    expect(await deliver("order.created", null, { raw: "{not json" })).toMatchObject({ status: 200, body: { received: "order" } });
    expect(await deliver("order.created", null, { raw: wrongShape })).toMatchObject({ status: 200, body: { received: "order" } });
    const reasonOf = async (body: string) =>
      (await worker.deadLetters.list({ limit: 1_000 })).find(
        (letter) => letter.queue === QUEUE_NAMES.platformEvents && (letter.data as { shop: string; body: string }).body === body,
      )?.error;
    await expect
      .poll(() => reasonOf("{not json"), { timeout: 60_000 })
      .toBe("malformed_payload: not a WooCommerce order (order.created): the body is not JSON");
    await expect.poll(() => reasonOf(wrongShape), { timeout: 60_000 }).toMatch(/^malformed_payload: not a WooCommerce order \(order\.created\): id/);
    expect(await hooks.inbox.pending()).toEqual([]);
    // Awaiting payment: WooCommerce has not taken stock, neither do we.
    const pending = JSON.stringify({ ...payload, status: "pending" });
    expect(await deliver("order.created", null, { raw: pending })).toMatchObject({ status: 200, body: { received: "order" } });
    await expect.poll(() => deliveryStates(pending), { timeout: 60_000 }).toEqual(["completed"]);
    expect((await app.holds.snapshot(sale.saleId))?.items[sale.tee.id]).toEqual({ allocated: 10, available: 10, held: 0, sold: 0 });
    expect(await app.db.order.count({ where: { saleId: sale.saleId } })).toBe(0);
  });

  it("answers WooCommerce's creation ping, ignores other topics, and passes stock changes to the stock intake through the worker", async () => {
    const ping = await fetch(`${base}/v1/webhooks/woocommerce/${storeId}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "webhook_id=12",
    });
    expect(ping.status).toBe(200);
    expect(await deliver("coupon.updated", { id: 1 })).toMatchObject({ status: 200, body: { received: "ignored" } });
    const sale = await liveSale();
    const [product] = sale.tee.platformRef!.split(":");
    expect(await deliver("product.updated", { id: Number(product), manage_stock: true, stock_quantity: 14 })).toMatchObject({
      status: 200,
      body: { received: "stock" },
    });
    // Queued raw and read by the worker: the intake records what WooCommerce holds for the item.
    await expect.poll(() => app.redis.hget(writeBackKeys(sale.saleId).written, sale.tee.id), { timeout: 60_000 }).toContain("14");
    expect(await deliver("product.updated", { id: Number(product), manage_stock: false, stock_quantity: null })).toMatchObject({
      status: 200,
      body: { received: "ignored" },
    });
  });

  it("keeps a delivery that arrives while the queue is down, answers 202, and processes it once the queue is back", async () => {
    const sale = await liveSale();
    const hold = await app.holds.reserve(sale.saleId, {
      customerId: "session:kept",
      lines: [{ itemId: sale.tee.id, quantity: 1 }],
      requestId: "req-woo-kept",
      ttlMs: 600_000,
    });
    if (hold.outcome !== "reserved") throw new Error("no hold");
    queueUp = false;
    try {
      const placed = order(8001, "processing", [refLine(sale.tee.platformRef!, 1, [{ key: "_holdfast_hold", value: hold.holdId }])]);
      expect(await deliver("order.created", placed)).toMatchObject({ status: 202, body: { received: "queued" } });
      expect((await hooks.inbox.pending()).map((entry) => entry.topic)).toEqual(["order.created"]);
      // Nothing happened yet, and a drain while the queue is still down leaves it where it is.
      expect(await drainWooDeliveries(hooks)).toEqual({ processed: 0, stopped: true });
      expect((await app.holds.snapshot(sale.saleId))?.items[sale.tee.id]).toMatchObject({ held: 1, sold: 0 });
    } finally {
      queueUp = true;
    }
    expect(await drainWooDeliveries(hooks)).toEqual({ processed: 1, stopped: false });
    expect(await hooks.inbox.pending()).toEqual([]);
    await waitFor(async () => (await app.holds.snapshot(sale.saleId))?.items[sale.tee.id]?.sold === 1, "the kept order committed");
    // The worker commits in Redis first and records the order in SQL after: wait for the row too.
    await expect
      .poll(async () => (await app.db.order.findFirst({ where: { saleId: sale.saleId, platformOrderRef: "8001" } }))?.holdId, { timeout: 60_000 })
      .toBe(hold.holdId);
  });
});

// Issue #12 item 6 (Redis restarted empty under a running sale) and issue #14 item 3
// (reconciliation of headless orders): a live headless sale with placed, processing and
// bypass orders and live holds loses its Redis keys; `npm run holdfast -- recover` rebuilds it
// from SQL, the worker does the same on start, and the merchant's dashboard says so.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildApp, type App } from "../../app/composition/web.server.ts";
import { startWorker, type RunningWorker } from "../../app/composition/worker.server.ts";
import { orderIdForHold } from "../../app/core/checkout/index.ts";
import { saleTag } from "../../app/core/keys.ts";
import { silentLogger } from "../../app/core/logger.ts";
import type { SaleRecoveryResult } from "../../app/core/recovery/index.ts";
import { lastLedgerId } from "../../app/core/sync/index.ts";
import { PrismaCheckoutOrderRepository } from "../../app/db/PrismaCheckoutOrderRepository.ts";
import { PrismaLedgerStore } from "../../app/db/PrismaLedgerStore.ts";
import { PrismaOrderRepository } from "../../app/db/PrismaOrderRepository.ts";
import { PrismaSoldUnits } from "../../app/db/PrismaSoldUnits.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { liveLoader } from "../../app/drops/pages.server.ts";
import type { DropsSurface } from "../../app/drops/surfaces.server.ts";
import type { LiveSnapshot } from "../../app/drops/live.server.ts";
import { freshDatabase, type TestDatabase } from "../db/databases.ts";
import { runCli, type CliRun } from "../support/cli.ts";
import { testRedisConfig, testRedisEnv } from "../support/redis.ts";
import { Shopper } from "../support/storefront.ts";

let database: TestDatabase;
let app: App;
let worker: RunningWorker;
let base: string;
let env: Record<string, string>;

beforeAll(async () => {
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  env = { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"), HOLDFAST_QUEUE_NAMESPACE: `hf-recover-${randomBytes(4).toString("hex")}` };
  app = buildApp({ redis: testRedisConfig(), databaseUrl: database.url, logger: silentLogger, env });
  worker = startWorker(app, silentLogger, { env, ledgerIntervalMs: 100 });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  app?.server.closeAllConnections();
  await app?.close();
  await database?.drop();
});

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { ...testRedisEnv(), ...env, DATABASE_URL: database.url });
}

async function liveSale(name: string) {
  const details = await app.sales.create({
    name,
    items: [
      { title: "Tee", allocation: 10 },
      { title: "Cap", allocation: 6 },
    ],
    holdMinutes: 10,
    perCustomerLimit: 0,
    admission: { mode: "off" },
  });
  await app.sales.start(details.sale.id);
  const [tee, cap] = details.sale.items.map((item) => item.id) as [string, string];
  return { saleId: details.sale.id, tee, cap };
}

async function hold(shopper: Shopper, lines: { itemId: string; quantity: number }[]) {
  const answer = await shopper.hold(lines);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return { holdId: String(answer.body.holdId), token: String(answer.body.token) };
}

/** Checks out through the API and waits for the worker to place the order. */
async function placedCheckout(saleId: string, lines: { itemId: string; quantity: number }[]): Promise<string> {
  const shopper = new Shopper(base, saleId);
  const { holdId, token } = await hold(shopper, lines);
  const opened = await shopper.request("POST", "/v1/checkout", { body: { holdToken: token, payment: { method: "test" } } });
  expect(opened.status, JSON.stringify(opened.body)).toBeLessThan(300);
  const orderId = orderIdForHold(holdId);
  const bearer = String(opened.body.orderToken);
  await expect
    .poll(async () => (await shopper.request("GET", `/v1/orders/${orderId}`, { bearer })).body.status, { timeout: 30_000, interval: 200 })
    .toBe("placed");
  return orderId;
}

/** Waits until SQL holds the sale's whole ledger stream (what a Redis that dies now leaves behind). */
async function ledgerPersisted(saleId: string): Promise<void> {
  const store = new PrismaLedgerStore(app.db);
  await expect.poll(async () => (await store.lastStreamId(saleId)) === (await lastLedgerId(app.redis, saleId)), { timeout: 30_000, interval: 100 }).toBe(true);
}

/** What an empty or replaced Redis leaves of one sale: none of its keys (never FLUSHALL: the Redis is shared). */
async function flushSale(saleId: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await app.redis.scan(cursor, "MATCH", `*${saleTag(saleId)}*`, "COUNT", 500);
    if (keys.length > 0) await app.redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  await app.room.forget(saleId);
}

function consoleSurface(): DropsSurface {
  return {
    deps: { sales: app.sales, room: app.room, redis: app.redis, db: app.db, clock: app.clock },
    base: "/console",
    scope: async () => ({ kind: "all" }),
    timeZone: async () => "UTC",
    appKey: () => null,
    picksTimeZone: true,
    afterChange: async () => undefined,
    redirect: (url) => new Response(null, { status: 302, headers: { location: url } }),
  };
}

async function dashboard(saleId: string): Promise<LiveSnapshot> {
  return (await (await liveLoader(consoleSurface(), new Request(`http://holdfast.test/console/drops/${saleId}/live`), saleId)).json()) as LiveSnapshot;
}

describe("reconciliation of a headless sale (issue #14 item 3)", () => {
  it("counts placed checkout orders: no drift, exit 0, and --repair exits 0 too", async () => {
    const { saleId, tee } = await liveSale("Headless reconcile");
    await placedCheckout(saleId, [{ itemId: tee, quantity: 2 }]);
    await ledgerPersisted(saleId);
    const run = await cli(["reconcile", saleId]);
    expect(run.stdout).not.toContain("SQL orders account");
    expect(run, run.stdout).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain("no drift");
    const repaired = await cli(["reconcile", saleId, "--repair"]);
    expect(repaired, repaired.stdout).toMatchObject({ code: 0 });
    expect(repaired.stdout).toContain("after repair: no drift left");
  }, 60_000);
});

describe("a running sale whose Redis keys are lost (issue #12 item 6)", () => {
  it("is rebuilt from SQL by `recover`: sold from every kind of order, holds lost and said, pending checkouts settled, the merchant told", async () => {
    const { saleId, tee, cap } = await liveSale("Recover me");
    const checkoutA = await placedCheckout(saleId, [{ itemId: tee, quantity: 2 }]);
    const checkoutB = await placedCheckout(saleId, [
      { itemId: tee, quantity: 1 },
      { itemId: cap, quantity: 1 },
    ]);
    // A platform order that skipped the queue (what the order processor does: settle in Redis, then the SQL row).
    const settled = await app.holds.settleOrder(saleId, { orderRef: "shop-1001", lines: [{ itemId: cap, quantity: 2 }], holdIds: [] });
    expect(settled).toMatchObject({ outcome: "settled" });
    await new PrismaOrderRepository(app.db).save({
      saleId,
      platformOrderRef: "shop-1001",
      status: "taken",
      holdId: null,
      customerRef: null,
      lines: [{ itemId: cap, quantity: 2 }],
      bypass: true,
    });
    // A sale Redis made whose SQL row was never written (the process died in between): the ledger tells it.
    expect(await app.holds.take(saleId, { orderRef: "shop-1002", lines: [{ itemId: tee, quantity: 1 }] })).toMatchObject({ outcome: "taken" });
    // Two checkouts the worker had started ("processing" in SQL) when Redis went: one had
    // committed its hold (the ledger shows it), one had not.
    const checkouts = new PrismaCheckoutOrderRepository(app.db);
    const committing = await hold(new Shopper(base, saleId), [{ itemId: tee, quantity: 1 }]);
    expect(await app.holds.commit(saleId, committing.holdId, orderIdForHold(committing.holdId))).toMatchObject({ outcome: "committed" });
    const stranded = await hold(new Shopper(base, saleId), [{ itemId: cap, quantity: 1 }]);
    for (const { holdId, lines } of [
      { holdId: committing.holdId, lines: [{ itemId: tee, quantity: 1 }] },
      { holdId: stranded.holdId, lines: [{ itemId: cap, quantity: 1 }] },
    ]) {
      await checkouts.save({
        orderId: orderIdForHold(holdId),
        saleId,
        platformOrderRef: orderIdForHold(holdId),
        holdId,
        status: "processing",
        customerRef: null,
        lines,
      });
    }
    // Two live holds, 3 units: lost with Redis (with the stranded checkout's, 3 holds in all).
    await hold(new Shopper(base, saleId), [{ itemId: tee, quantity: 2 }]);
    await hold(new Shopper(base, saleId), [{ itemId: cap, quantity: 1 }]);

    const before = await app.holds.snapshot(saleId);
    expect(before?.items[tee]).toEqual({ allocated: 10, available: 3, held: 2, sold: 5 });
    expect(before?.items[cap]).toEqual({ allocated: 6, available: 1, held: 2, sold: 3 });
    await ledgerPersisted(saleId);

    await flushSale(saleId);
    expect(await app.holds.snapshot(saleId)).toBeNull();
    const dead = await new Shopper(base, saleId).hold([{ itemId: tee, quantity: 1 }]);
    expect(dead.status).toBe(404);

    const run = await cli(["recover", saleId]);
    expect(run, run.stdout).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain("rebuilt from SQL; 3 hold(s) in flight (4 unit(s)) were lost");

    // Sold per item is SQL's count, for every kind of order; holds are gone; the invariant holds.
    const after = await app.holds.snapshot(saleId);
    expect(after?.items[tee]).toEqual({ allocated: 10, available: 5, held: 0, sold: 5 });
    expect(after?.items[cap]).toEqual({ allocated: 6, available: 3, held: 0, sold: 3 });
    const counted = await new PrismaSoldUnits(app.db).soldUnits(saleId);
    for (const [itemId, counters] of Object.entries(after?.items ?? {})) {
      expect(counters.available + counters.held + counters.sold).toBe(counters.allocated);
      expect(counters.sold).toBe(counted.sold.get(itemId) ?? 0);
    }
    expect(after?.activeHolds).toBe(0);

    // Pending checkouts: the committed one is placed, the stranded one failed with a reason.
    const rows = await app.db.order.findMany({ where: { saleId }, select: { id: true, status: true, failureReason: true } });
    const status = new Map(rows.map((row) => [row.id, row]));
    expect(status.get(orderIdForHold(committing.holdId))).toMatchObject({ status: "placed", failureReason: null });
    expect(status.get(orderIdForHold(stranded.holdId))).toMatchObject({ status: "failed", failureReason: "recovery_checkout_lost" });
    expect(status.get(checkoutA)?.status).toBe("placed");
    expect(status.get(checkoutB)?.status).toBe("placed");
    expect(rows.filter((row) => row.status === "processing" || row.status === "queued")).toEqual([]);

    // The merchant's dashboard (console and embedded share this loader) says what happened.
    const page = await dashboard(saleId);
    expect(page.recovery).toMatchObject({ holdsLost: 3, ordersFailed: 1 });
    expect(page.recovery?.notice).toMatch(
      /^Holdfast restarted this drop's stock from its orders at \d{4}-\d\d-\d\d \d\d:\d\d UTC: 3 holds in flight were lost; shoppers holding them must add again\./,
    );
    expect(page.state).toBe("live");

    // Shoppers can hold again (once the storefront's room cache, at most a second old, sees the room), and a
    // second delivery of an order already sold changes nothing.
    const shopper = new Shopper(base, saleId);
    await expect.poll(async () => (await shopper.hold([{ itemId: tee, quantity: 1 }], { requestId: "after-recovery" })).status, { timeout: 20_000 }).toBe(201);
    expect(await app.holds.take(saleId, { orderRef: "shop-1002", lines: [{ itemId: tee, quantity: 1 }] })).toMatchObject({ outcome: "duplicate" });

    // Idempotent: a second recover changes nothing and records nothing.
    const snapshot = await app.holds.snapshot(saleId);
    const again = await cli(["recover", saleId, "--json"]);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { recoveries: SaleRecoveryResult[] }).recoveries).toEqual([expect.objectContaining({ saleId, outcome: "intact" })]);
    expect(await app.holds.snapshot(saleId)).toEqual(snapshot);
    expect(await app.db.saleRecovery.count({ where: { saleId } })).toBe(1);

    // The rebuilt sale reconciles: Redis, the ledger (with its restore entries) and SQL agree.
    await ledgerPersisted(saleId);
    const reconciled = await cli(["reconcile", saleId]);
    expect(reconciled, reconciled.stdout).toMatchObject({ code: 0 });
  }, 120_000);

  it("is rebuilt by a worker on start, logged", async () => {
    const { saleId, tee } = await liveSale("Recover on start");
    await placedCheckout(saleId, [{ itemId: tee, quantity: 3 }]);
    await app.sales.pause(saleId);
    await ledgerPersisted(saleId);
    await flushSale(saleId);

    const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
    const logger = { ...silentLogger, warn: (message: string, fields?: Record<string, unknown>) => void warnings.push({ message, fields }) };
    const second = startWorker(app, logger, { env });
    try {
      const results = await second.recovered;
      expect(results.find((result) => result.saleId === saleId)).toMatchObject({ outcome: "recovered", holdsLost: 0 });
      expect(warnings.map((warning) => warning.message)).toContain("recovered sales whose Redis state was missing");
    } finally {
      await second.stop();
    }
    expect((await app.holds.snapshot(saleId))?.items[tee]).toEqual({ allocated: 10, available: 7, held: 0, sold: 3 });
    // The room is back in the state SQL had: paused.
    expect((await app.room.view(saleId))?.state).toBe("paused");
  }, 120_000);

  it("exits 3 for what cannot be recovered, 0 for --all with nothing missing, 2 for usage mistakes", async () => {
    expect(await cli(["recover", "t-nosuchsale"])).toMatchObject({ code: 3, stdout: expect.stringContaining("no such sale") });
    expect(await cli(["recover", "--all"])).toMatchObject({ code: 0 });
    expect(await cli(["recover"])).toMatchObject({ code: 2, stderr: expect.stringContaining("recover needs a sale id or --all") });
    expect(await cli(["recover", "x", "--all"])).toMatchObject({ code: 2 });
    expect(await cli(["recover", "x", "--repair"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--repair does not apply to recover") });
  }, 60_000);
});

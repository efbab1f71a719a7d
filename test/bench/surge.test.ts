import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildApp, type App } from "../../app/composition/web.server.ts";
import { startWorker, type RunningWorker } from "../../app/composition/worker.server.ts";
import { silentLogger } from "../../app/core/logger.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { rankCorrelation } from "../../bench/surge/fairness.ts";
import { parseSurgeArgs, SurgeUsageError } from "../../bench/surge/options.ts";
import type { SurgeReport } from "../../bench/surge/report.ts";
import { freshDatabase, type TestDatabase } from "../db/databases.ts";

// `npm run surge` as a merchant runs it: the real command against a real Holdfast (web +
// worker, Redis, SQL), then its report checked against the stock API and the SQL orders.

const ADMIN_TOKEN = randomBytes(24).toString("base64url");
let database: TestDatabase;
let app: App;
let worker: RunningWorker;
let base: string;
let out: string;

beforeAll(async () => {
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  // Surge gives every shopper its own address in X-Forwarded-For; this server trusts the loopback proxy.
  const env = {
    HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    HOLDFAST_QUEUE_NAMESPACE: `hf-surge-${randomBytes(4).toString("hex")}`,
    HOLDFAST_TRUSTED_PROXIES: "127.0.0.1,::1",
  };
  app = buildApp({
    redis: { mode: "standalone", url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
    databaseUrl: database.url,
    logger: silentLogger,
    adminToken: ADMIN_TOKEN,
    env,
  });
  worker = startWorker(app, silentLogger, { env, queues: app.queues });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  out = mkdtempSync(join(tmpdir(), "holdfast-surge-"));
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  app?.server.closeAllConnections();
  await app?.close();
  await database?.drop();
  if (out) rmSync(out, { recursive: true, force: true });
}, 60_000);

function surge(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/surge.ts", ...args], { env: { ...process.env, HOLDFAST_ADMIN_TOKEN: "" }, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run surge", () => {
  it("sells a small drop out through the widget's protocol and reports what the stock API and the SQL orders say", async () => {
    const run = await surge([
      "--url",
      base,
      "--admin-token",
      ADMIN_TOKEN,
      "--shoppers",
      "120",
      "--units",
      "12",
      "--items",
      "3",
      "--curve",
      "spike:1",
      "--per-minute",
      "600",
      "--checkout-share",
      "0.8",
      "--redis",
      process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      "--out",
      out,
      "--no-progress",
    ]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "surge.json"), "utf8")) as SurgeReport;

    // Sold out, nothing oversold, and every unit sold is an order a simulated shopper saw placed.
    expect(report.stoppedBy).toBe("sold_out");
    expect(report.timeToSellOutSeconds).not.toBeNull();
    expect(report.oversold).toBe(0);
    expect(report.inconsistentItems).toEqual([]);
    expect(report.units).toMatchObject({ allocated: 12, sold: 12, held: 0, available: 0 });
    expect(report.placedUnits).toBe(12);
    expect(report.shoppers.bought).toBe(12);
    expect(report.shoppers.unfinished).toBe(0);

    // The stock API agrees (it may be up to a second old: wait for it to show the end).
    const stock = async () => (await (await fetch(`${base}/v1/sales/${report.saleId}/stock`)).json()) as { items: { sold: number; allocated: number }[] };
    await expect.poll(async () => (await stock()).items.reduce((sum, item) => sum + item.sold, 0), { timeout: 10_000, interval: 200 }).toBe(report.units.sold);

    // The SQL orders agree: one placed order per bought shopper, their units summing to the sold units.
    const orders = await app.db.order.findMany({ where: { saleId: report.saleId } });
    const placed = orders.filter((order) => order.status === "placed");
    const units = placed.flatMap((order) => JSON.parse(order.linesJson) as { quantity: number }[]).reduce((sum, line) => sum + line.quantity, 0);
    expect(placed.length).toBe(report.shoppers.bought);
    expect(units).toBe(report.units.sold);

    // Every call the shoppers made is counted; each join answered, and admission followed join order.
    expect(report.calls.join?.count).toBeGreaterThanOrEqual(120);
    expect(report.calls.hold?.count).toBeGreaterThanOrEqual(12);
    expect(report.calls.checkout?.count).toBe(12);
    expect(Object.keys(report.errors).filter((error) => !error.includes("sold_out"))).toEqual([]);
    // Every buyer was admitted with a known place (more may be, when some release their hold).
    expect(report.fairness.shoppersCompared).toBeGreaterThanOrEqual(report.shoppers.bought);
    expect(report.fairness.rankCorrelation).toBeGreaterThan(0.5);
    expect(report.redis?.saleKeys).toBeGreaterThan(0);
    expect(report.timeline.length).toBeGreaterThan(0);

    // The sale surge created is ended afterwards, and the HTML report is written with its charts.
    const sale = (await (await fetch(`${base}/v1/admin/sales/${report.saleId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
      state: string;
    };
    expect(sale.state).toBe("ended");
    const html = readFileSync(join(out, "surge.html"), "utf8");
    expect(html).toContain("0 oversold");
    expect(html.match(/<svg /g)?.length).toBe(2);
    expect(run.stdout).toContain(`sale ${report.saleId}`);
  }, 180_000);

  it("refuses bad options and an unreachable target with exit code 2 and one clear line", async () => {
    const bad = await surge(["--shoppers=-5", "--admin-token", ADMIN_TOKEN]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--shoppers must be a whole number");
    const nobody = await surge(["--url", "http://127.0.0.1:9", "--admin-token", ADMIN_TOKEN, "--no-progress"]);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toMatch(/nothing healthy answers at http:\/\/127\.0\.0\.1:9/);
  }, 60_000);
});

describe("surge's options and fairness measure", () => {
  const noToken = () => null;
  it("needs the admin token to create a sale, and reads the local development token for a local target", () => {
    expect(() => parseSurgeArgs(["--url", "https://shop.example.com"], {}, noToken, false)).toThrow(SurgeUsageError);
    const parsed = parseSurgeArgs([], {}, () => "local-token", false);
    expect(parsed.help === false && parsed.options.adminToken).toBe("local-token");
    expect(() => parseSurgeArgs(["--curve", "sideways"], {}, () => "t", false)).toThrow(/--curve must be/);
    expect(() => parseSurgeArgs(["--checkout-share", "1.5"], {}, () => "t", false)).toThrow(/--checkout-share/);
    expect(() => parseSurgeArgs(["--items", "5", "--units", "3"], {}, () => "t", false)).toThrow(/--items/);
  });

  it("takes the word after an option as its value even when it starts with a dash (a base64url token can)", () => {
    const parsed = parseSurgeArgs(["--admin-token", "-Zq8token", "--url", "http://127.0.0.1:3000", "--no-progress"], {}, noToken, false);
    expect(parsed.help === false && parsed.options.adminToken).toBe("-Zq8token");
    expect(() => parseSurgeArgs(["--shoppers", "-5"], {}, () => "t", false)).toThrow(/--shoppers must be a whole number/);
    expect(() => parseSurgeArgs(["--no-progress", "extra"], {}, () => "t", false)).toThrow(SurgeUsageError);
  });

  it("rank correlation is 1 in order, -1 reversed, and in between for a shuffle", () => {
    expect(
      rankCorrelation([
        [1, 10],
        [2, 20],
        [3, 30],
        [4, 40],
      ]),
    ).toBeCloseTo(1);
    expect(
      rankCorrelation([
        [1, 40],
        [2, 30],
        [3, 20],
        [4, 10],
      ]),
    ).toBeCloseTo(-1);
    const mixed = rankCorrelation([
      [1, 20],
      [2, 10],
      [3, 40],
      [4, 30],
    ]);
    expect(mixed).toBeGreaterThan(0);
    expect(mixed).toBeLessThan(1);
    expect(rankCorrelation([[1, 5]])).toBeNull();
  });
});

import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

import type { Browser, BrowserContext, Page } from "playwright-core";

import { demoRoutes } from "../../app/api/demo/index.ts";
import { buildApp, type App } from "../../app/composition/web.server.ts";
import { silentLogger } from "../../app/core/logger.ts";
import type { NewSaleInput } from "../../app/core/sales/index.ts";
import { ensureDemoSale } from "../../app/api/demo/demoSale.ts";
import { startWorker, type RunningWorker } from "../../app/composition/worker.server.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { freshDatabase, type TestDatabase } from "../db/databases.ts";
import { testRedisConfig } from "../support/redis.ts";
import { launchChromium } from "../support/chromium.ts";

export const SCREENSHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));

/** Tight enough that the 429 test can exhaust a session in a few joins; the other tests join once per session. */
export const JOINS_PER_SESSION = 3;

export interface DemoServer {
  base: string;
  app: App;
  demoSaleId: string;
  /** A sale made through SaleService (as the admin API does); ended again by close(). */
  createSale(input: Partial<NewSaleInput> & { start?: boolean }): Promise<{ saleId: string; itemIds: string[] }>;
  close(): Promise<void>;
}

/**
 * The real server as `npm start` wires it (buildApp + the worker in the same process + the
 * demo routes and demo sale), on real Redis and a throwaway SQLite database, with its own
 * BullMQ namespace and master key so it shares nothing with other tests but Redis itself.
 */
export async function startDemoServer(): Promise<DemoServer> {
  const database: TestDatabase = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  const run = randomBytes(4).toString("hex");
  const env: NodeJS.ProcessEnv = {
    HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    HOLDFAST_RATE_LIMIT_JOIN_PER_SESSION: String(JOINS_PER_SESSION),
    // The checkout producer (buildApp) and the worker must share it; no other test's worker sees it.
    HOLDFAST_QUEUE_NAMESPACE: `hf-widget-${run}`,
  };
  let demoSaleId: string | null = null;
  const app = buildApp({
    redis: testRedisConfig(),
    databaseUrl: database.url,
    logger: silentLogger,
    env,
    extraRoutes: (parts) => demoRoutes({ sales: parts.sales, defaultSaleId: () => demoSaleId }),
  });
  const worker: RunningWorker = startWorker(app, silentLogger, { env, ledgerIntervalMs: 5_000 });
  demoSaleId = (await ensureDemoSale(app.sales)).saleId;
  const created: string[] = [demoSaleId];
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  return {
    base,
    app,
    demoSaleId,
    async createSale({ start = true, ...input }) {
      const details = await app.sales.create({
        name: "Widget test drop",
        items: [{ title: "Test sneaker", allocation: 5 }],
        holdMinutes: 5,
        perCustomerLimit: 2,
        admission: { mode: "rate", perMinute: 600 },
        ...input,
      });
      const saleId = details.sale.id;
      created.push(saleId);
      if (start && details.sale.state === "draft") await app.sales.start(saleId);
      return { saleId, itemIds: details.sale.items.map((item) => item.id) };
    },
    async close() {
      // Ended rooms leave the shared registry, so no admission controller keeps visiting them.
      await Promise.all(created.map((saleId) => app.sales.end(saleId).catch(() => undefined)));
      await worker.stop();
      app.server.closeAllConnections();
      await app.close();
      await database.drop();
    },
  };
}

export interface Browsing {
  browser: Browser;
  /** A fresh shopper: own storage, so own session id and ticket. Records console errors. */
  shopper(): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Debian's Chromium, with the flags known to work on these machines (no background networking). */
export async function launchBrowser(): Promise<Browsing> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await launchChromium();
  return {
    browser,
    async shopper() {
      const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
      return { context, page, errors };
    },
    close: () => browser.close(),
  };
}

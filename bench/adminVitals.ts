/**
 * Admin web vitals, as "Built for Shopify" measures them: LCP, CLS and INP of the embedded
 * admin's drops list, drop editor and live dashboard, in headless Chromium with Google's
 * web-vitals library, against the goals (LCP <= 2.5 s, CLS <= 0.1, INP <= 200 ms). Each page
 * is opened fresh (new browser context: empty cache) and gets one real interaction, as a
 * merchant's: open a drop from the list, type in the editor's name, type a rate on the
 * dashboard. Also the waiting-room widget's weight on a product page: the script and stylesheet
 * the app embed adds, raw, gzipped and brotli-compressed.
 *
 * The server is the admin pages' browser-test server (test/e2e/adminServer.ts): the real app
 * on Redis (REDIS_URL, default 127.0.0.1:6379) and a throwaway SQLite file, Shopify's Admin API played by a local stand-in, App
 * Bridge by a small stand-in script (Shopify's CDN is out of reach here, so its own script's
 * cost is not counted). Production mode by default: the build merchants get.
 *
 * Env: BENCH_VITALS_ROUNDS (3; figures are the p75 of the rounds, nearest rank, as CrUX
 * reports), BENCH_VITALS_MODE (production | development), BENCH_VITALS_BUILD_DIR (build/,
 * built first when missing or older than app/), BENCH_VITALS_RESULT (adminVitals: the JSON's
 * name in bench/results/), BENCH_VITALS_TIMEOUT_MS (60000 per page).
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";

import { Session } from "@shopify/shopify-api";
import type { Browser, Locator, Page } from "playwright-core";

import type { WebMode } from "../app/web/remix.server.ts";
import { recordShopifyInstall } from "../app/stores/shopifyStores.server.ts";
import { redisConfigFromEnv } from "../app/core/redis.ts";
import { shopFixture } from "../test/app/ui/support/adminStandIn.ts";
import { DESKTOP_CHROME, embeddedUrl, installAppBridgeStandIn, startAdminServer, type AdminServer } from "../test/e2e/adminServer.ts";
import { launchChromium } from "../test/support/chromium.ts";
import { Cleanup } from "./lib/cleanup.ts";
import { envInteger, hostMetadata, writeResults } from "./lib/results.ts";
import { formatCount, formatMs, formatTable, round } from "./lib/table.ts";
import { collectVitals, GOALS, readVitals, type Vitals } from "./vitals/pageVitals.ts";

const rounds = envInteger("BENCH_VITALS_ROUNDS", 3, 1, 50);
const timeoutMs = envInteger("BENCH_VITALS_TIMEOUT_MS", 60_000, 5_000, 600_000);
const mode = (process.env.BENCH_VITALS_MODE ?? "production") as WebMode;
if (mode !== "production" && mode !== "development") throw new Error(`BENCH_VITALS_MODE must be production or development, got "${String(mode)}"`);
const buildDirectory = process.env.BENCH_VITALS_BUILD_DIR?.trim() ? resolve(process.env.BENCH_VITALS_BUILD_DIR.trim()) : undefined;
// The build step (when needed) writes where the server will read.
if (buildDirectory) process.env.HOLDFAST_BUILD_DIR = buildDirectory;
const resultName = process.env.BENCH_VITALS_RESULT?.trim() || "adminVitals";

const WIDGET = fileURLToPath(new URL("../extensions/waiting-room/", import.meta.url));
const SHOP = `vitals-${randomBytes(3).toString("hex")}.myshopify.com`;
const DROP_NAME = "Vitals drop";
const log = (line: string) => process.stderr.write(`${line}\n`);

interface AdminPage {
  name: string;
  path(saleId: string): string;
  /** The page is usable: its main content is there and Remix has hydrated it. */
  ready(page: Page): Promise<void>;
  /** The merchant's interaction INP is measured on; resolves once its result is on screen. */
  interact(page: Page): Promise<void>;
}

const hydrated = (page: Page) => page.waitForFunction(() => "__remixRouter" in window, undefined, { timeout: timeoutMs });

/** Click a field, type at its end, and wait until the page shows what was typed. */
async function typeInto(page: Page, field: Locator, text: string): Promise<void> {
  await field.click();
  await field.press("End");
  await field.pressSequentially(text);
  const input = await field.elementHandle({ timeout: timeoutMs });
  await page.waitForFunction(([element, typed]) => (element as HTMLInputElement).value.endsWith(typed as string), [input, text] as const, {
    timeout: timeoutMs,
  });
}

const PAGES: AdminPage[] = [
  {
    name: "drops list",
    path: () => "/app",
    ready: async (page) => {
      await page.getByRole("link", { name: DROP_NAME }).waitFor({ timeout: timeoutMs });
      await hydrated(page);
    },
    interact: async (page) => {
      await page.getByRole("link", { name: DROP_NAME }).click();
      await page.getByRole("heading", { name: DROP_NAME }).first().waitFor({ timeout: timeoutMs });
    },
  },
  {
    name: "drop editor",
    path: (saleId) => `/app/drops/${saleId}`,
    ready: async (page) => {
      await page.getByLabel("Drop name").waitFor({ timeout: timeoutMs });
      await hydrated(page);
    },
    interact: (page) => typeInto(page, page.getByLabel("Drop name"), " 2"),
  },
  {
    name: "live dashboard",
    path: (saleId) => `/app/drops/${saleId}/live`,
    ready: async (page) => {
      await page.getByLabel("Shoppers admitted per minute").waitFor({ timeout: timeoutMs });
      await hydrated(page);
    },
    interact: (page) => typeInto(page, page.getByLabel("Shoppers admitted per minute"), "0"),
  },
];

interface PageResult {
  page: string;
  path: string;
  rounds: Vitals[];
  p75: Vitals;
  meetsGoals: { lcp: boolean; cls: boolean; inp: boolean };
}

interface WidgetWeight {
  asset: string;
  rawBytes: number;
  gzipBytes: number;
  brotliBytes: number;
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** The shop's store with one running drop (admission by rate, so the dashboard shows its rate field). */
async function seedDrop(server: AdminServer): Promise<string> {
  const fixture = server.standIn.shop(SHOP);
  const session = new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: fixture.accessToken });
  const storeId = await recordShopifyInstall(server.app.db, server.app.masterKey.key, session);
  const created = await server.app.sales.create({
    name: DROP_NAME,
    storeId,
    items: [{ title: "Sneaker - 42", allocation: 30, platformRef: "gid://shopify/InventoryItem/1001@gid://shopify/Location/1" }],
    holdMinutes: 10,
    perCustomerLimit: 2,
    admission: { mode: "rate", perMinute: 120 },
  });
  await server.app.sales.start(created.sale.id);
  return created.sale.id;
}

async function measurePage(browser: Browser, server: AdminServer, spec: AdminPage, saleId: string): Promise<Vitals> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_CHROME });
  try {
    const page = await context.newPage();
    await installAppBridgeStandIn(page, SHOP);
    await collectVitals(page);
    await page.goto(embeddedUrl(server.base, SHOP, spec.path(saleId)), { timeout: timeoutMs });
    await spec.ready(page);
    return await readVitals(page, spec.interact, timeoutMs);
  } finally {
    await context.close();
  }
}

/**
 * What the app embed adds to every product page: the script and stylesheet its schema names,
 * which Shopify's CDN serves as the extension ships them (compressed in transit).
 */
function widgetWeight(): WidgetWeight[] {
  const liquid = readFileSync(`${WIDGET}blocks/waiting-room.liquid`, "utf8");
  const schema = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(liquid);
  if (!schema) throw new Error("the waiting-room block has no schema");
  const { javascript, stylesheet } = JSON.parse(schema[1] as string) as { javascript?: string; stylesheet?: string };
  const assets = [javascript, stylesheet].filter((name): name is string => typeof name === "string");
  if (assets.length === 0) throw new Error("the waiting-room app embed loads no asset");
  return assets.map((asset) => {
    const body = readFileSync(`${WIDGET}assets/${asset}`);
    return {
      asset,
      rawBytes: body.length,
      gzipBytes: gzipSync(body, { level: 9 }).length,
      brotliBytes: brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  });
}

async function main(): Promise<number> {
  const cleanup = new Cleanup();
  cleanup.handleSignals(log);
  try {
    log(`admin vitals: ${rounds} round(s) per page, ${mode} mode`);
    const server = await startAdminServer([shopFixture(SHOP)], { redis: redisConfigFromEnv(process.env), mode, ...(buildDirectory ? { buildDirectory } : {}) });
    cleanup.add("stop the admin server", () => server.close());
    const browser = await launchChromium();
    cleanup.add("close Chromium", () => browser.close());
    const saleId = await seedDrop(server);

    // One unmeasured visit per page: the server's first request of a route loads its module.
    for (const spec of PAGES) await measurePage(browser, server, spec, saleId);
    const results: PageResult[] = [];
    for (const spec of PAGES) {
      const measured: Vitals[] = [];
      for (let i = 0; i < rounds; i++) measured.push(await measurePage(browser, server, spec, saleId));
      const p75 = {
        lcpMs: percentile(
          measured.map((v) => v.lcpMs),
          75,
        ),
        cls: percentile(
          measured.map((v) => v.cls),
          75,
        ),
        inpMs: percentile(
          measured.map((v) => v.inpMs),
          75,
        ),
      };
      results.push({
        page: spec.name,
        path: spec.path(":id"),
        rounds: measured.map((v) => ({ lcpMs: round(v.lcpMs, 1), cls: round(v.cls, 4), inpMs: round(v.inpMs, 1) })),
        p75: { lcpMs: round(p75.lcpMs, 1), cls: round(p75.cls, 4), inpMs: round(p75.inpMs, 1) },
        meetsGoals: { lcp: p75.lcpMs <= GOALS.lcpMs, cls: p75.cls <= GOALS.cls, inp: p75.inpMs <= GOALS.inpMs },
      });
    }
    const widget = widgetWeight();

    const mark = (ok: boolean) => (ok ? "ok" : "MISSED");
    console.log(`\nAdmin web vitals (p75 of ${rounds} fresh load(s) per page; goals: LCP <= ${GOALS.lcpMs} ms, CLS <= ${GOALS.cls}, INP <= ${GOALS.inpMs} ms)`);
    console.log(
      formatTable(
        ["page", "LCP ms", "LCP goal", "CLS", "CLS goal", "INP ms", "INP goal"],
        results.map((r) => [
          r.page,
          formatMs(r.p75.lcpMs),
          mark(r.meetsGoals.lcp),
          r.p75.cls.toFixed(3),
          mark(r.meetsGoals.cls),
          formatMs(r.p75.inpMs),
          mark(r.meetsGoals.inp),
        ]),
      ),
    );
    console.log("\nWaiting-room widget on a product page (the app embed's script and stylesheet, as Shopify's CDN serves them)");
    console.log(
      formatTable(
        ["asset", "raw bytes", "gzip bytes", "brotli bytes"],
        widget.map((w) => [w.asset, formatCount(w.rawBytes), formatCount(w.gzipBytes), formatCount(w.brotliBytes)]),
      ),
    );
    const sum = (pick: (w: WidgetWeight) => number) => widget.reduce((total, w) => total + pick(w), 0);
    const total = { rawBytes: sum((w) => w.rawBytes), gzipBytes: sum((w) => w.gzipBytes), brotliBytes: sum((w) => w.brotliBytes) };
    const path = writeResults(resultName, {
      benchmark: "adminVitals",
      host: hostMetadata(),
      config: { rounds, mode, viewport: "1280x900", appBridge: "stand-in (Shopify's CDN script not loaded)" },
      goals: GOALS,
      pages: results,
      widget: { assets: widget, total },
    });
    console.log(`\nwrote ${path}`);
    return 0;
  } finally {
    for (const failure of await cleanup.runAll()) log(`cleanup failed: ${failure}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);

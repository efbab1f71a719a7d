// The admin pages in headless Chromium against the real server: create -> start -> pause ->
// end, clicked through in the standalone console and in the embedded Shopify app (with a
// stand-in for App Bridge, whose CDN script cannot load here). Each page is screenshotted
// under test/e2e/screenshots/, checked for console errors and for basic accessibility.
import { readFileSync } from "node:fs";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";

import { recordCustomerDataRequest } from "../../app/stores/privacy.server.ts";
import { shopFixture } from "../app/ui/support/embedded.ts";
import {
  accessibilityProblems,
  ADMIN_TOKEN,
  DESKTOP_CHROME,
  embeddedUrl,
  installAppBridgeStandIn,
  launchAdminChromium,
  SCREENSHOTS,
  startAdminServer,
  type AdminServer,
} from "./adminHarness.ts";

const SHOP = `e2e-${Date.now().toString(36)}.myshopify.com`;
let server: AdminServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startAdminServer([shopFixture(SHOP)]), launchAdminChromium()]);
  await warmUp();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Vite compiles the pages on first visit and may then re-bundle dependencies it discovered
 * and reload; a page loaded across that switch mixes two copies of React. Visit every kind
 * of page until a whole round loads with no console error, so the tests see a settled server.
 */
async function warmUp(): Promise<void> {
  const urls = [
    embeddedUrl(server.base, SHOP),
    embeddedUrl(server.base, SHOP, "/app/drops/new"),
    embeddedUrl(server.base, SHOP, "/app/privacy"),
    `${server.base}/console/login`,
  ];
  for (let round = 1; ; round++) {
    const context = await browser.newContext({ userAgent: DESKTOP_CHROME });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (message) => void (message.type() === "error" && errors.push(message.text())));
    page.on("pageerror", (error) => errors.push(error.message));
    await installAppBridgeStandIn(page, SHOP);
    for (const url of urls) {
      await page.goto(url, { waitUntil: "networkidle", timeout: 60_000 });
      await hydrated(page);
    }
    await context.close();
    if (errors.length === 0) return;
    if (round === 4) throw new Error(`the pages still log errors after ${round} warm-up rounds: ${errors.slice(0, 3).join(" | ")}`);
  }
}

interface Watched {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

async function openPage(): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_CHROME });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  return { context, page, errors };
}

/** Remix has hydrated the page (before that, clicks do nothing and DOM changes upset hydration). */
async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete", undefined, { timeout: 60_000 });
}

/** Screenshot, accessibility check and console errors so far, for one page of the flow. */
async function checkPage(watched: Watched, name: string): Promise<void> {
  await hydrated(watched.page);
  // caret "initial": hiding the caret would add a style attribute to inputs, which React reports as a hydration mismatch.
  await watched.page.screenshot({ path: `${SCREENSHOTS}admin-${name}.png`, fullPage: true, caret: "initial" });
  expect(await accessibilityProblems(watched.page), `accessibility of ${name}`).toEqual([]);
  expect(watched.errors, `console errors on ${name}`).toEqual([]);
}

async function stateOf(saleId: string): Promise<string> {
  return (await server.app.sales.get(saleId)).sale.state;
}

/** Start (unless `started`), pause and end from the live dashboard, checking the stored state after each. */
async function runDrop(watched: Watched, saleId: string, prefix: string, started = false): Promise<void> {
  const { page } = watched;
  if (!started) await page.getByRole("button", { name: "Start now" }).click();
  await page.getByRole("button", { name: "Pause" }).waitFor();
  expect(await stateOf(saleId)).toBe("live");
  await checkPage(watched, `${prefix}-live`);
  await page.getByRole("button", { name: "Pause" }).click();
  await page.getByRole("button", { name: "Resume" }).waitFor();
  expect(await stateOf(saleId)).toBe("paused");
  await page.getByRole("button", { name: "End drop now" }).click();
  // A destructive control asks first; the drop keeps running until the merchant says yes.
  const dialog = page.getByRole("dialog");
  await dialog.getByText("An ended drop cannot be started again.", { exact: false }).waitFor();
  await checkPage(watched, `${prefix}-confirm-end`);
  expect(await stateOf(saleId)).toBe("paused");
  await dialog.getByRole("button", { name: "End drop" }).click();
  await page.getByText("Ended", { exact: true }).first().waitFor();
  await page.getByRole("button", { name: "End drop now" }).waitFor({ state: "detached" });
  expect(await stateOf(saleId)).toBe("ended");
  await checkPage(watched, `${prefix}-ended`);
}

describe("admin pages in the browser", () => {
  it("console: sign in, create a drop, start, pause, end", { timeout: 60_000 }, async () => {
    const watched = await openPage();
    const { page } = watched;
    try {
      await page.goto(`${server.base}/console`);
      await page.waitForURL(/\/console\/login/);
      await checkPage(watched, "console-login");
      await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByText("Run your first drop").waitFor();
      await checkPage(watched, "console-empty");

      await page.getByRole("link", { name: "Create drop" }).first().click();
      await page.getByLabel("Drop name").fill("Console drop");
      await page.getByRole("button", { name: "Add product" }).click();
      await page.getByLabel("Product 1 title").fill("Demo tee");
      await page.getByLabel("Product 1 units allocated").fill("40");
      await page.getByLabel("Admission").selectOption("off");
      await checkPage(watched, "console-new");
      await page.getByRole("button", { name: "Save drop" }).last().click();
      await page.waitForURL(/\/console\/drops\/\w+\/live\?created=1$/);
      const saleId = /drops\/(\w+)\/live/.exec(page.url())?.[1] ?? "";
      expect((await server.app.sales.get(saleId)).sale).toMatchObject({ name: "Console drop", storeId: null, items: [{ title: "Demo tee", allocation: 40 }] });
      await checkPage(watched, "console-draft");
      await page.getByRole("button", { name: "Start now" }).click();
      await page.getByRole("button", { name: "Pause" }).waitFor();
      // A shopper's hold appears on the open dashboard by polling, without a reload.
      const itemId = (await server.app.sales.get(saleId)).sale.items[0]!.id;
      const navigations: string[] = [];
      page.on("framenavigated", (frame) => navigations.push(frame.url()));
      const hold = await server.app.holds.reserve(saleId, { lines: [{ itemId, quantity: 2 }], customerId: "shopper-1", ttlMs: 600_000, requestId: "e2e-hold" });
      expect(hold.outcome).toBe("reserved");
      await page.waitForFunction(() => document.querySelector('[data-metric="Active holds"]')?.textContent === "1", undefined, { timeout: 10_000 });
      expect(await page.locator('[data-metric="Remaining"]').textContent()).toBe("38");
      expect(navigations).toEqual([]);
      await runDrop(watched, saleId, "console", true);

      // A drop that does not exist: an error page that says what to do, not a stack trace.
      await page.goto(`${server.base}/console/drops/NoSuchDrop/live`);
      await page.getByText("This drop does not exist (or belongs to another shop). Go back to the drops list.").waitFor();
      watched.errors.splice(0, watched.errors.length, ...watched.errors.filter((error) => !/status of 404/.test(error)));
      await checkPage(watched, "console-not-found");
      await page.getByRole("link", { name: "Back to drops" }).click();
      await page.getByText("Console drop").first().waitFor();
    } catch (error) {
      await page.screenshot({ path: `${SCREENSHOTS}admin-failure-${Date.now()}.png`, fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await watched.context.close();
    }
  });

  it("embedded app: create a drop from a searched product, start, pause, end, then its readiness", { timeout: 60_000 }, async () => {
    const watched = await openPage();
    const { page } = watched;
    try {
      await installAppBridgeStandIn(page, SHOP);
      await page.goto(embeddedUrl(server.base, SHOP));
      await page.getByText("Run your first drop").waitFor();
      await checkPage(watched, "embedded-empty");

      await page.getByRole("link", { name: "Create drop" }).first().click();
      await page.getByLabel("Drop name").waitFor();
      await page.getByLabel("Drop name").fill("Embedded drop");
      await page.getByLabel("Search products").fill("sneak");
      await page.getByRole("button", { name: "Search" }).click();
      await page.getByLabel(/Sneaker - 42/).check();
      await page.getByRole("button", { name: "Add 1 selected" }).click();
      await page.getByText("Warehouse: 30 available").waitFor();
      expect(await page.getByLabel("Product 1 units allocated").inputValue()).toBe("30");
      await checkPage(watched, "embedded-new");
      await page.getByRole("button", { name: "Save drop" }).last().click();
      await page.waitForURL(/\/app\/drops\/\w+\/live/);
      const saleId = /drops\/(\w+)\/live/.exec(page.url())?.[1] ?? "";
      const sale = (await server.app.sales.get(saleId)).sale;
      expect(sale.items).toMatchObject([{ title: "Sneaker - 42", allocation: 30, platformRef: "gid://shopify/InventoryItem/1001@gid://shopify/Location/1" }]);
      expect(sale.storeId).not.toBeNull();
      await runDrop(watched, saleId, "embedded");

      await page.getByRole("link", { name: "Settings" }).click();
      await page.getByRole("link", { name: "Readiness checklist" }).click();
      await page.getByRole("heading", { name: /Checked automatically/ }).waitFor();
      await checkPage(watched, "embedded-readiness");
    } catch (error) {
      await page.screenshot({ path: `${SCREENSHOTS}admin-failure-${Date.now()}.png`, fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await watched.context.close();
    }
  });

  it("embedded app with App Bridge's picker: a refused save says what to fix, then create and edit", { timeout: 60_000 }, async () => {
    const watched = await openPage();
    const { page } = watched;
    try {
      await installAppBridgeStandIn(page, SHOP, {
        productId: "gid://shopify/Product/10",
        variantIds: ["gid://shopify/ProductVariant/101", "gid://shopify/ProductVariant/102"],
      });
      await page.goto(embeddedUrl(server.base, SHOP, "/app/drops/new"));
      await hydrated(page);
      await page.getByLabel("Drop name").fill("Picked drop");
      await page.getByRole("button", { name: "Pick products" }).click();
      await page.getByText("Shop floor: 12 available (keeps selling when out of stock!)").waitFor();
      await page.getByLabel("Hold minutes").fill("0");
      await page.getByRole("button", { name: "Save drop" }).last().click();
      await page.getByText("The drop was not saved").waitFor();
      await page.getByText("Hold minutes must be an integer from 1 to 120.").first().waitFor();
      // A refused save answers 422, which the browser reports as a failed resource; that one is expected.
      watched.errors.splice(0, watched.errors.length, ...watched.errors.filter((error) => !/status of 422/.test(error)));
      await checkPage(watched, "embedded-refused");

      await page.getByLabel("Hold minutes").fill("15");
      await page.getByRole("button", { name: "Save drop" }).last().click();
      await page.waitForURL(/\/app\/drops\/\w+\/live/);
      const saleId = /drops\/(\w+)\/live/.exec(page.url())?.[1] ?? "";
      expect((await server.app.sales.get(saleId)).sale.items.map((item) => [item.title, item.allocation])).toEqual([
        ["Sneaker - 42", 30],
        ["Sneaker - 43", 12],
      ]);

      await page.getByRole("link", { name: "Settings" }).click();
      await page.getByLabel("Product 2 units allocated").fill("10");
      await page.getByRole("button", { name: "Save drop" }).last().click();
      await page.getByText("The drop's settings are saved and in effect.").waitFor();
      expect((await server.app.sales.get(saleId)).sale.items[1]?.allocation).toBe(10);
      await checkPage(watched, "embedded-saved");
    } catch (error) {
      await page.screenshot({ path: `${SCREENSHOTS}admin-failure-${Date.now()}.png`, fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await watched.context.close();
    }
  });

  it("embedded app: privacy requests, empty and then with a report the merchant downloads", { timeout: 60_000 }, async () => {
    const watched = await openPage();
    const { page } = watched;
    try {
      await installAppBridgeStandIn(page, SHOP);
      await page.goto(embeddedUrl(server.base, SHOP, "/app/privacy"));
      await page.getByText("No privacy requests").waitFor();
      await checkPage(watched, "embedded-privacy-empty");

      // What customers/data_request leaves behind (the webhook's own tests deliver it signed).
      const { db, redis, holds, masterKey } = server.app;
      const customer = `shopify-customer:${Date.now()}`;
      expect(await recordCustomerDataRequest({ db, redis, holds, masterKey: masterKey.key }, SHOP, customer, [])).not.toBeNull();
      await page.goto(embeddedUrl(server.base, SHOP, "/app/privacy"));
      await page.getByText(customer).waitFor();
      await checkPage(watched, "embedded-privacy");

      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: `Download the report for ${customer}` }).click()]);
      expect(download.suggestedFilename()).toMatch(/^holdfast-privacy-report-pr_\w+\.json$/);
      const report = JSON.parse(readFileSync(await download.path(), "utf8")) as { shop: string; customerRef: string };
      expect(report).toMatchObject({ shop: SHOP, customerRef: customer });
      expect(watched.errors).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: `${SCREENSHOTS}admin-failure-${Date.now()}.png`, fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await watched.context.close();
    }
  });
});

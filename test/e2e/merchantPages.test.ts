// The merchant-facing drop pages in headless Chromium against the real server (issue #14 item 4,
// #13 item 3): every form error at once next to its field, the time zone picker, "Drop saved"
// and "Put it on your store", confirmations before destructive controls, counters that stop
// at the end, the orders page with its CSV, App Bridge's save bar and toast, and the
// readiness checklist's deep links. Screenshots under test/e2e/screenshots/.
import { readFile } from "node:fs/promises";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";

import { shopFixture } from "../app/ui/support/embedded.ts";
import {
  accessibilityProblems,
  ADMIN_TOKEN,
  API_KEY,
  DESKTOP_CHROME,
  embeddedUrl,
  installAppBridgeStandIn,
  launchAdminChromium,
  SCREENSHOTS,
  startAdminServer,
  type AdminServer,
} from "./adminHarness.ts";

const SHOP = `merchant-${Date.now().toString(36)}.myshopify.com`;
let server: AdminServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startAdminServer([shopFixture(SHOP)]), launchAdminChromium()]);
  await warmUp();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Watched {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

async function openPage(): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_CHROME, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => void (message.type() === "error" && errors.push(message.text())));
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  return { context, page, errors };
}

async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete", undefined, { timeout: 60_000 });
}

/** Vite compiles pages on first visit and may re-bundle and reload: visit each kind of page until a round logs no error. */
async function warmUp(): Promise<void> {
  for (let round = 1; ; round++) {
    const { context, page, errors } = await openPage();
    await installAppBridgeStandIn(page, SHOP);
    for (const url of [embeddedUrl(server.base, SHOP), embeddedUrl(server.base, SHOP, "/app/drops/new"), `${server.base}/console/login`]) {
      await page.goto(url, { waitUntil: "networkidle", timeout: 60_000 });
      await hydrated(page);
    }
    await context.close();
    if (errors.length === 0) return;
    if (round === 4) throw new Error(`the pages still log errors after ${round} warm-up rounds: ${errors.slice(0, 3).join(" | ")}`);
  }
}

/** Screenshot, accessibility and console errors (minus the expected ones) for one page. */
async function checkPage(watched: Watched, name: string, expected: RegExp | null = null): Promise<void> {
  await hydrated(watched.page);
  await watched.page.screenshot({ path: `${SCREENSHOTS}merchant-${name}.png`, fullPage: true, caret: "initial" });
  expect(await accessibilityProblems(watched.page), `accessibility of ${name}`).toEqual([]);
  expect(
    watched.errors.filter((error) => !expected?.test(error)),
    `console errors on ${name}`,
  ).toEqual([]);
  watched.errors.length = 0;
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${server.base}/console/login`);
  await hydrated(page);
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/console$/);
}

/** Waits for a condition (never for a duration): the machine is slow and shared, so the bound is generous. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 60_000 });

const stateOf = async (saleId: string) => (await server.app.sales.get(saleId)).sale.state;

describe("merchant pages in the browser", () => {
  it(
    "console: every error at once, the time zone picker, saved + snippet, confirmations, counters that stop, orders and CSV",
    { timeout: 180_000 },
    async () => {
      const watched = await openPage();
      const { page } = watched;
      try {
        await signIn(page);
        await page.goto(`${server.base}/console/drops/new`);
        await hydrated(page);
        const salesBefore = (await server.app.sales.list({ limit: 200 })).length;
        // Four wrong fields, one save: each is named next to its field, in the form's words.
        await page.getByRole("button", { name: "Add product" }).click();
        await page.getByLabel("Product 1 units allocated").fill("lots");
        await page.getByLabel("Hold minutes").fill("0");
        await page.getByLabel("Limit per customer").fill("-1");
        await page.getByLabel("Product 1 price").fill("12.345");
        await page.getByLabel("Currency of the prices").fill("EUR");
        await page.getByRole("button", { name: "Save drop" }).last().click();
        await page.getByText("The drop was not saved").waitFor();
        for (const message of [
          "The drop name must be 1-200 characters, without control characters.",
          'Product 1 units allocated: enter a whole number (you entered "lots").',
          "Hold minutes must be an integer from 1 to 120.",
          "The limit per customer must be an integer from 0 to 1000.",
          "The product's title must be 1-200 characters, without control characters.",
          `The price must be a number with at most the currency's decimals, such as 19.99 (got "12.345").`,
        ]) {
          // Once in the banner's list, once under its field.
          await poll(() => page.getByText(message, { exact: true }).count()).toBe(2);
        }
        expect(await page.getByLabel("Hold minutes").getAttribute("aria-invalid")).toBe("true");
        expect(await page.getByLabel("Drop name").getAttribute("aria-invalid")).toBe("true");
        // The messages speak of products, as the form does, never of "items".
        const shown = await page.locator(".Polaris-InlineError").allInnerTexts();
        // One message per field, each under its own field (no field twice, nothing left only in the banner).
        expect(shown).toHaveLength(6);
        expect(shown.join(" ")).not.toMatch(/\bitems?\b/i);
        expect((await server.app.sales.list({ limit: 200 })).length).toBe(salesBefore);
        await checkPage(watched, "console-all-errors", /status of 422/);

        // Fixed, in Tokyo time from the picker.
        await page.getByLabel("Drop name").fill("Merchant drop");
        await page.getByLabel("Product 1 title").fill("Demo hoodie");
        await page.getByLabel("Product 1 units allocated").fill("25");
        await page.getByLabel("Product 1 price").fill("39.90");
        await page.getByLabel("Hold minutes").fill("10");
        await page.getByLabel("Limit per customer").fill("2");
        await page.getByLabel("Time zone").selectOption("Asia/Tokyo");
        await page.getByLabel("End", { exact: true }).fill("2031-01-15T18:00");
        await page.getByLabel("Admission").selectOption("rate");
        await page.getByLabel("Shoppers admitted per minute").first().fill("1");
        await page.getByRole("button", { name: "Save drop" }).last().click();
        await page.waitForURL(/\/console\/drops\/\w+\/live\?created=1$/);
        const saleId = /drops\/(\w+)\/live/.exec(page.url())?.[1] ?? "";
        const sale = (await server.app.sales.get(saleId)).sale;
        expect(sale.schedule.endsAt).toBe(Date.UTC(2031, 0, 15, 9));
        expect(sale.items[0]?.price).toEqual({ amountMinor: 3_990, currency: "EUR" });
        await page.getByText("Drop saved").waitFor();
        // A headless drop: the widget snippet, configured for this sale.
        const snippet = await page.getByLabel("Widget snippet").innerText();
        expect(snippet).toContain(`"sale": "${saleId}"`);
        expect(snippet).toContain(`${server.base}/v1`);
        expect(snippet).toContain("holdfast-waiting-room.js");
        await checkPage(watched, "console-saved-snippet");

        // Start; shoppers queue; "End drop now" asks first, and Cancel changes nothing.
        await page.getByRole("button", { name: "Start now" }).click();
        await page.getByRole("button", { name: "Pause" }).waitFor();
        for (const session of ["m1", "m2", "m3"]) await server.app.room.join(saleId, session);
        // The room may admit one of them at 1 a minute; the others wait.
        await page.waitForFunction(() => Number(document.querySelector('[data-metric="Waiting"]')?.textContent) >= 2, undefined, { timeout: 30_000 });
        await page.getByRole("button", { name: "End drop now" }).click();
        await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
        await page.getByRole("dialog").waitFor({ state: "detached" });
        expect(await stateOf(saleId)).toBe("live");
        await page.getByRole("button", { name: "End drop now" }).click();
        await checkPage(watched, "console-confirm-end");
        await page.getByRole("dialog").getByRole("button", { name: "End drop" }).click();
        await page.getByRole("button", { name: "End drop now" }).waitFor({ state: "detached" });
        expect(await stateOf(saleId)).toBe("ended");
        // Nobody waits for an ended drop: the dashboard and the list stop counting.
        await page.waitForFunction(() => document.querySelector('[data-metric="Waiting"]')?.textContent === "0", undefined, { timeout: 30_000 });
        await page.goto(`${server.base}/console`);
        await hydrated(page);
        const row = page.getByRole("row").filter({ hasText: "Merchant drop" });
        await poll(() => row.innerText()).toMatch(/Ended/);
        // The waiting column shows no one for an ended drop.
        expect(await row.locator("td").last().innerText()).toBe("—");
        await checkPage(watched, "console-list-ended");

        // The orders page: one placed, one that skipped the queue and oversold, one failed.
        const itemId = sale.items[0]!.id;
        const lines = (quantity: number) => JSON.stringify([{ itemId, quantity }]);
        await server.app.db.order.createMany({
          data: [
            { saleId, platformOrderRef: "#1001", status: "committed", customerRef: "ada@example.com", linesJson: lines(2) },
            {
              saleId,
              platformOrderRef: "#1002",
              status: "flagged",
              bypass: true,
              customerRef: "=HYPERLINK(1)",
              linesJson: lines(1),
              oversoldLinesJson: lines(1),
            },
            { saleId, platformOrderRef: "#1003", status: "failed", linesJson: "[]" },
          ],
        });
        await page.goto(`${server.base}/console/drops/${saleId}/orders`);
        await hydrated(page);
        await page.getByText("#1001").waitFor();
        expect(await page.getByRole("row").count()).toBe(4);
        await checkPage(watched, "console-orders");
        await page.getByRole("link", { name: "Skipped the queue (1)" }).click();
        await page.waitForURL(/filter=bypass/);
        await poll(() => page.getByRole("row").count()).toBe(2);
        await page.getByText("#1002").waitFor();
        const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
        const csv = await readFile((await download.path()) ?? "", "utf8");
        expect(csv.split("\r\n")[0]).toBe("order,status,placed_at_utc,customer,bypassed_queue,products,units,oversold_units");
        expect(csv).toContain("#1002,flagged,");
        // A customer's text that a spreadsheet would run as a formula is neutralised.
        expect(csv).toContain(",'=HYPERLINK(1),yes,Demo hoodie × 1,1,1");
        expect(csv).not.toContain("#1001");
        await page.getByRole("link", { name: "Failed or cancelled (1)" }).click();
        await page.getByText("#1003").waitFor();
        await checkPage(watched, "console-orders-failed");
      } catch (error) {
        await page.screenshot({ path: `${SCREENSHOTS}merchant-failure-${Date.now()}.png`, fullPage: true }).catch(() => undefined);
        throw error;
      } finally {
        await watched.context.close();
      }
    },
  );

  it("embedded: save bar and toast, queue-everyone confirmation, the app embed deep links", { timeout: 180_000 }, async () => {
    const watched = await openPage();
    const { page } = watched;
    const calls = () => page.evaluate(() => (window as unknown as { __appBridgeCalls: string[] }).__appBridgeCalls.slice());
    try {
      await installAppBridgeStandIn(page, SHOP);
      await page.goto(embeddedUrl(server.base, SHOP, "/app/drops/new"));
      await hydrated(page);
      // No time zone picker in the admin: the shop's zone.
      expect(await page.getByLabel("Time zone").count()).toBe(0);
      await page.getByLabel("Drop name").fill("Embedded merchant drop");
      // A change raises App Bridge's contextual save bar; its Save saves.
      await poll(calls).toContain("saveBar:show:drop-save-bar");
      await page.getByLabel("Search products").fill("sneak");
      await page.getByRole("button", { name: "Search" }).click();
      await page.getByLabel(/Sneaker - 42/).check();
      await page.getByRole("button", { name: "Add 1 selected" }).click();
      await page.getByText("Warehouse: 30 available").waitFor();
      await page.getByLabel("Admission").selectOption("off");
      await checkPage(watched, "embedded-save-bar");
      await page.locator("ui-save-bar button", { hasText: "Save drop" }).click();
      await page.waitForURL(/\/app\/drops\/\w+\/live/);
      const saleId = /drops\/(\w+)\/live/.exec(page.url())?.[1] ?? "";
      expect((await server.app.sales.get(saleId)).sale.name).toBe("Embedded merchant drop");
      // "Put it on your store": the app embed's deep link into the theme editor.
      const deepLink = `https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=${API_KEY}/waiting-room`;
      expect(await page.getByRole("link", { name: "Turn on the app embed" }).getAttribute("href")).toBe(deepLink);
      expect(await page.getByRole("link", { name: "Turn on the app embed" }).getAttribute("target")).toBe("_top");
      await checkPage(watched, "embedded-put-on-store");

      // Queue everyone asks first.
      await page.getByRole("button", { name: "Start now" }).click();
      await page.getByRole("button", { name: "Pause" }).waitFor();
      await page.getByRole("button", { name: "Queue everyone" }).click();
      await page.getByRole("dialog").getByText("Every shopper goes through the waiting room", { exact: false }).waitFor();
      expect((await server.app.sales.get(saleId)).sale.admission.mode).toBe("off");
      await checkPage(watched, "embedded-confirm-queue");
      await page.getByRole("dialog").getByRole("button", { name: "Queue everyone" }).click();
      await poll(async () => (await server.app.sales.get(saleId)).sale.admission.mode).toBe("rate");

      // Edit: the save bar appears on change, Discard puts the form back, a save shows the toast.
      await page.goto(embeddedUrl(server.base, SHOP, `/app/drops/${saleId}`));
      await hydrated(page);
      await page.getByLabel("Drop name").fill("Changed, then discarded");
      await poll(calls).toContain("saveBar:show:drop-save-bar");
      await page.locator("ui-save-bar button", { hasText: "Discard" }).click();
      expect(await page.getByLabel("Drop name").inputValue()).toBe("Embedded merchant drop");
      await poll(calls).toContain("saveBar:hide:drop-save-bar");
      await page.getByLabel("Hold minutes").fill("12");
      await page.locator("ui-save-bar button", { hasText: "Save drop" }).click();
      await poll(calls).toContain("toast:Drop saved");
      expect((await server.app.sales.get(saleId)).sale.holdMinutes).toBe(12);

      // Readiness: each failing check links to where it is fixed, in the admin's top frame.
      await page.goto(embeddedUrl(server.base, SHOP, `/app/drops/${saleId}/readiness`));
      await page.getByRole("heading", { name: /Checked automatically/ }).waitFor();
      const fix = page.getByRole("link", { name: /Turn on the waiting room in the theme editor/ });
      expect(await fix.getAttribute("href")).toBe(deepLink);
      expect(await fix.getAttribute("target")).toBe("_top");
      await checkPage(watched, "embedded-readiness-links");
    } catch (error) {
      await page.screenshot({ path: `${SCREENSHOTS}merchant-failure-${Date.now()}.png`, fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await watched.context.close();
    }
  });
});

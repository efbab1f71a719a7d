import { randomBytes } from "node:crypto";

import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { TestPaymentProvider } from "../../app/platforms/payments/index.ts";
import { Shopper } from "../support/storefront.ts";
import { JOINS_PER_SESSION, launchBrowser, SCREENSHOTS, startDemoServer, type Browsing, type DemoServer } from "./widgetHarness.ts";

// The widget in headless Chromium against the real server (buildApp + worker), real Redis and
// SQLite, with real sales and the admission controller doing the admitting.

let server: DemoServer;
let browsing: Browsing;

beforeAll(async () => {
  [server, browsing] = await Promise.all([startDemoServer(), launchBrowser()]);
});

afterAll(async () => {
  await browsing?.close();
  await server?.close();
});

const dialog = (page: Page) => page.getByRole("dialog", { name: "You're in line for the drop" });
const liveStatus = (page: Page) => dialog(page).getByRole("status");

/** Every ticket join the page sends. */
function recordJoins(page: Page): { request: Request }[] {
  const joins: { request: Request }[] = [];
  page.on("request", (request: Request) => {
    if (request.method() === "POST" && request.url().endsWith("/tickets")) joins.push({ request });
  });
  return joins;
}

/** Chromium logs every 4xx fetch as a console error; only the answers a test provoked on purpose are excused. */
function unexpected(errors: string[], excused: RegExp | null = null): string[] {
  return errors.filter((text) => !(excused && excused.test(text)));
}

// Generous bounds: on a loaded machine Chromium and the server are slow, which is not a failure.
describe("waiting-room widget in the demo store", { timeout: 240_000 }, () => {
  it("joins before the start, is admitted by the controller, holds, and reaches checkout; the overlay is an accessible dialog", async () => {
    // Scheduled far ahead and started by hand below: the pre-queue lasts as long as the test needs.
    const startsAt = Date.now() + 600_000;
    const { saleId, itemIds } = await server.createSale({
      schedule: { prequeueAt: Date.now() - 1_000, startsAt },
      items: [{ title: "Test sneaker", allocation: 5, price: { amount: "49.90", currency: "EUR" } }],
      start: false,
    });
    const { page, errors, context } = await browsing.shopper();
    const joins = recordJoins(page);
    await page.goto(`${server.base}/demo?sale=${saleId}`);
    await expect.poll(() => page.locator("[data-stock]").first().textContent()).toBe("5");
    expect(await page.locator(".demo-price").first().textContent()).toBe("€49.90");

    const buy = page.locator(`[data-holdfast-item="${itemIds[0]}"]`);
    await page.selectOption(`[data-qty-for="${itemIds[0]}"]`, "2");
    await buy.click();
    await dialog(page).waitFor();
    await expect.poll(() => liveStatus(page).textContent()).toContain("before the start");

    // Accessibility basics: a labelled modal dialog, a polite live region, named controls, focus inside.
    const box = dialog(page);
    expect(await box.getAttribute("aria-modal")).toBe("true");
    expect(await liveStatus(page).getAttribute("aria-live")).toBe("polite");
    expect(await page.locator(".hf-detail").getAttribute("aria-live")).toBe("polite");
    expect(await box.getByRole("button", { name: "Close (you keep your place in line)" }).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.closest("[role=dialog]") !== null)).toBe(true);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("[role=dialog]") !== null)).toBe(true);
    for (const select of await page.locator("select").all()) expect(await select.evaluate((el: HTMLSelectElement) => el.labels?.length ?? 0)).toBe(1);
    await page.screenshot({ path: `${SCREENSHOTS}widget-prequeue.png` });
    // Escape closes the dialog and hands focus back to the button that opened it; the place is kept.
    await page.keyboard.press("Escape");
    expect(await dialog(page).count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-holdfast-item"))).toBe(itemIds[0]);
    await buy.click();
    await expect.poll(() => liveStatus(page).textContent()).toContain("before the start");

    // The merchant starts the sale; the controller admits; the widget holds with its pass.
    expect((await server.app.sales.get(saleId)).sale.state).not.toBe("live"); // the shopper really waited in the pre-queue
    await server.app.sales.start(saleId);
    const checkout = page.getByRole("region", { name: "Checkout" });
    await checkout.waitFor({ timeout: 60_000 });
    expect(await checkout.textContent()).toContain("2 × Test sneaker (€99.80)");
    expect(await dialog(page).count()).toBe(0);
    const counters = (await server.app.sales.get(saleId)).counters[itemIds[0] as string];
    expect(counters).toMatchObject({ held: 2, available: 3 });
    // The shopper's own hold shows at once, not when the cached stock answer catches up.
    expect(await page.locator("[data-stock]").first().textContent()).toBe("3");
    await page.screenshot({ path: `${SCREENSHOTS}widget-checkout.png` });

    // Checkout with the test payment: the page posts the hold token and shows the order's fate.
    const answered = page.waitForResponse((response) => response.url().endsWith("/v1/checkout"));
    await page.getByRole("button", { name: "Pay with the test card" }).click();
    const answer = await answered;
    const body = answer.request().postDataJSON() as { holdToken: string; payment: { method: string } };
    expect(body.payment).toEqual({ method: "test" });
    expect(body.holdToken.split(".")).toHaveLength(3);
    // Until this server mounts POST /v1/checkout the page keeps the hold and says so; with it, the
    // demo sale (standalone store, test payment) must end in a placed order.
    const checkoutMounted = answer.status() !== 404;
    const order = page.locator("[data-order]");
    await expect.poll(() => order.textContent(), { timeout: 60_000 }).toMatch(checkoutMounted ? /Order \S+ is placed/ : /isn't available/);
    await page.screenshot({ path: `${SCREENSHOTS}widget-order.png` });
    if (checkoutMounted) {
      expect((await server.app.sales.get(saleId)).counters[itemIds[0] as string]).toMatchObject({ held: 0, sold: 2 });
      // The test card was charged the item's price times the quantity.
      const { orderId } = (await answer.json()) as { orderId: string };
      const charge = JSON.parse((await server.app.redis.get(TestPaymentProvider.key(orderId))) ?? "{}") as { amount?: unknown };
      expect(charge.amount).toEqual({ amountMinor: 9_980, currency: "EUR" });
    }
    expect(joins).toHaveLength(1);
    expect(unexpected(errors, checkoutMounted ? null : /status of 404/)).toEqual([]);
    await context.close();
  });

  it("keeps the place across a refresh and in a new tab, without joining again", async () => {
    // One shopper a minute: the first in line takes the only admission for a while, the widget waits behind.
    const { saleId, itemIds } = await server.createSale({ admission: { mode: "rate", perMinute: 1 } });
    const ahead = [new Shopper(server.base, saleId), new Shopper(server.base, saleId)];
    for (const shopper of ahead) expect((await shopper.join()).status).toBe(201);
    const { page, errors, context } = await browsing.shopper();
    const joins = recordJoins(page);
    await page.goto(`${server.base}/demo?sale=${saleId}`);
    await page.locator(`[data-holdfast-item="${itemIds[0]}"]`).click();
    await expect.poll(() => liveStatus(page).textContent()).toMatch(/You are number \d+ in line/);
    const before = await liveStatus(page).textContent();
    const stored = await page.evaluate(() =>
      window.localStorage.getItem(Object.keys(window.localStorage).find((key) => key !== "holdfast:sid" && key.startsWith("holdfast:")) ?? ""),
    );
    expect(JSON.parse(stored ?? "{}").ticket).toBeTruthy();

    await page.reload();
    await dialog(page).waitFor();
    await expect.poll(() => liveStatus(page).textContent()).toBe(before);
    const tab = await context.newPage();
    await tab.goto(`${server.base}/demo?sale=${saleId}`);
    await dialog(tab).waitFor();
    await expect.poll(() => liveStatus(tab).textContent()).toBe(before);
    await tab.screenshot({ path: `${SCREENSHOTS}widget-refresh.png` });
    expect(joins).toHaveLength(1);

    // Closing the box keeps the place too.
    await tab.keyboard.press("Escape");
    expect(await dialog(tab).count()).toBe(0);
    await page.keyboard.press("Escape");

    // The connection drops: the widget says so, backs off, and comes back to the same place.
    await context.setOffline(true);
    await page.locator(`[data-holdfast-item="${itemIds[0]}"]`).click();
    await expect.poll(() => liveStatus(page).textContent(), { timeout: 60_000 }).toContain("Connection lost");
    await page.screenshot({ path: `${SCREENSHOTS}widget-offline.png` });
    await context.setOffline(false);
    await expect.poll(() => liveStatus(page).textContent(), { timeout: 60_000 }).toBe(before);
    expect(joins).toHaveLength(1);
    expect(unexpected(errors, /ERR_INTERNET_DISCONNECTED/)).toEqual([]);
    await context.close();
  });

  it("tells a waiting shopper at once when the last unit is taken", async () => {
    const { saleId, itemIds } = await server.createSale({ items: [{ title: "Last pair", allocation: 1 }], admission: { mode: "rate", perMinute: 600 } });
    const first = new Shopper(server.base, saleId);
    expect((await first.join()).status).toBe(201);
    // The room admits no more shoppers than units left, so the widget's shopper waits behind `first`.
    const { page, errors, context } = await browsing.shopper();
    await page.goto(`${server.base}/demo?sale=${saleId}`);
    await page.locator(`[data-holdfast-item="${itemIds[0]}"]`).click();
    await expect.poll(() => liveStatus(page).textContent()).toMatch(/You are number \d+ in line/);

    let pass = "";
    await expect.poll(async () => (pass = String((await first.status()).body.pass ?? "")), { timeout: 60_000 }).not.toBe("");
    expect((await first.hold([{ itemId: itemIds[0] as string, quantity: 1 }], { pass })).status).toBe(201);
    await expect.poll(() => liveStatus(page).textContent(), { timeout: 60_000 }).toContain("Sold out");
    expect(await page.locator(".hf-detail").textContent()).toContain("keep this open");
    await page.screenshot({ path: `${SCREENSHOTS}widget-soldout.png` });
    expect(unexpected(errors)).toEqual([]);
    await context.close();
  });

  it("a second item after a hold gets its own hold, not a replay of the first", async () => {
    const { saleId, itemIds } = await server.createSale({
      items: [
        { title: "Left shoe", allocation: 3 },
        { title: "Right shoe", allocation: 3 },
      ],
      admission: { mode: "off" },
    });
    const { page, errors, context } = await browsing.shopper();
    await page.goto(`${server.base}/demo?sale=${saleId}`);
    const checkout = page.getByRole("region", { name: "Checkout" });
    await page.locator(`[data-holdfast-item="${itemIds[0]}"]`).click();
    await expect.poll(() => checkout.textContent(), { timeout: 60_000 }).toContain("1 × Left shoe");
    await page.locator(`[data-holdfast-item="${itemIds[1]}"]`).click();
    await expect.poll(() => checkout.textContent(), { timeout: 60_000 }).toContain("1 × Right shoe");
    const { counters } = await server.app.sales.get(saleId);
    expect([counters[itemIds[0] as string]?.held, counters[itemIds[1] as string]?.held]).toEqual([1, 1]);
    // Releasing from the demo checkout gives the units back at once (DELETE /v1/holds/{id}).
    await page.getByRole("button", { name: "Release my reservation" }).click();
    await expect.poll(() => checkout.textContent()).toContain("Your reservation was released.");
    expect((await server.app.sales.get(saleId)).counters[itemIds[1] as string]).toMatchObject({ held: 0, available: 3 });
    expect(unexpected(errors)).toEqual([]);
    await context.close();
  });

  it("waits out a 429 for as long as Retry-After says, then joins and holds", async () => {
    const { saleId, itemIds } = await server.createSale({ admission: { mode: "off" } });
    const { page, errors, context } = await browsing.shopper();
    const session = randomBytes(18).toString("base64url");
    await context.addInitScript((sid) => {
      if (!window.localStorage.getItem("holdfast:sid")) window.localStorage.setItem("holdfast:sid", sid);
    }, session);
    // Spend this session's joins for the minute through the real API. The window is not shortened:
    // a short one could lapse before a slow page asks, and there would be no 429 to wait out.
    const other = Object.assign(new Shopper(server.base, saleId), { session });
    for (let i = 0; i < JOINS_PER_SESSION; i++) expect((await other.join()).status).toBe(201);

    const joins = recordJoins(page);
    const refused = page.waitForResponse((response) => response.url().endsWith("/tickets") && response.status() === 429, { timeout: 120_000 });
    await page.goto(`${server.base}/demo?sale=${saleId}`);
    await page.locator(`[data-holdfast-item="${itemIds[0]}"]`).click();
    const retryAfter = Number((await refused).headers()["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    await expect.poll(() => liveStatus(page).textContent()).toContain(`Trying again in ${retryAfter} s`);
    await page.screenshot({ path: `${SCREENSHOTS}widget-429.png` });

    await page.getByRole("region", { name: "Checkout" }).waitFor({ timeout: 150_000 });
    expect(joins).toHaveLength(2);
    // Timed by the browser's network stack: the retry left no earlier than Retry-After said.
    const sent = joins.map((join) => join.request.timing().startTime);
    expect((sent[1] ?? 0) - (sent[0] ?? 0)).toBeGreaterThanOrEqual(retryAfter * 1_000);
    expect(unexpected(errors, /status of 429/)).toEqual([]);
    await context.close();
  });
});

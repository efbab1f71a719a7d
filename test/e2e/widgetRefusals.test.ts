import { randomBytes } from "node:crypto";

import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Shopper } from "../support/storefront.ts";
import { launchBrowser, type Browsing, type DemoServer, startDemoServer } from "./widgetHarness.ts";

// The widget's answers to refusals that must not be worked around (issue #12): a used request
// id is not replaced by a fresh one to buy another hold.

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

function recordHolds(page: Page): Request[] {
  const holds: Request[] = [];
  page.on("request", (request: Request) => {
    if (request.method() === "POST" && request.url().endsWith("/holds")) holds.push(request);
  });
  return holds;
}

describe("waiting-room widget refusals", () => {
  it("after request_already_used it says the turn is used and mints no new request id", async () => {
    const { saleId, itemIds } = await server.createSale({ admission: { mode: "off" } });
    const itemId = itemIds[0] as string;
    const session = randomBytes(18).toString("base64url");
    const requestId = `used-${randomBytes(6).toString("hex")}`;
    // The stored flow a shopper has after a hold with this request id ended in another tab.
    const shopper = Object.assign(new Shopper(server.base, saleId), { session });
    const first = await shopper.hold([{ itemId, quantity: 1 }], { requestId });
    expect(first.status).toBe(201);
    expect((await shopper.request("DELETE", `/v1/holds/${String(first.body.holdId)}`, { bearer: String(first.body.token) })).status).toBe(204);

    const { page, errors, context } = await browsing.shopper();
    await context.addInitScript(
      (seed: { sid: string; key: string; flow: string }) => {
        if (!window.localStorage.getItem("holdfast:sid")) {
          window.localStorage.setItem("holdfast:sid", seed.sid);
          window.localStorage.setItem(seed.key, seed.flow);
        }
      },
      { sid: session, key: `holdfast:${saleId}`, flow: JSON.stringify({ ticket: null, requestId, item: itemId, qty: 1, ref: itemId, buyNow: false }) },
    );
    const holds = recordHolds(page);
    await page.goto(`${server.base}/demo?sale=${saleId}`);
    await page.locator(`[data-holdfast-item="${itemId}"]`).click();
    await expect.poll(() => dialog(page).getByRole("status").textContent(), { timeout: 10_000 }).toContain("Your reservation has ended");
    expect(await dialog(page).getByRole("button", { name: "Join the line again" }).isVisible()).toBe(true);
    expect(holds.map((request) => (request.postDataJSON() as { requestId: string }).requestId)).toEqual([requestId]);
    expect((await server.app.sales.get(saleId)).counters[itemId]).toMatchObject({ held: 0, sold: 0 });
    expect(errors.filter((text) => !/status of 409/.test(text))).toEqual([]);
    await context.close();
  });
});

/**
 * The plugin's WooCommerce adapter script (assets/holdfast-woocommerce.js) in Chromium: when
 * the waiting-room widget announces a hold (`holdfast:held`, as the shared widget dispatches it
 * on non-Shopify stores), the adapter posts WooCommerce's own add-to-cart form with the hold
 * token, for a simple product and for a variation.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/chromium.ts";

const ADAPTER = readFileSync(join(import.meta.dirname, "../../wordpress-plugin/holdfast/assets/holdfast-woocommerce.js"), "utf8");
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function heldOn(
  form: string,
  items: Record<string, string>,
  detail: Record<string, unknown>,
): Promise<{ url: string; fields: Record<string, string>; prevented: boolean }> {
  const page = await browser.newPage();
  const config = { api: "https://holdfast.invalid", sale: "s1", items, platform: "woocommerce", addUrl: "https://shop.invalid/product/tee/" };
  let posted: { url: string; body: string } | null = null;
  await page.route("https://shop.invalid/**", async (route) => {
    const request = route.request();
    if (request.method() === "POST") posted = { url: request.url(), body: request.postData() ?? "" };
    await route.fulfill({
      status: 200,
      contentType: "text/html",
      body:
        request.method() === "POST"
          ? "<p>added</p>"
          : `<html><body>${form}<script type="application/json" id="holdfast-config">${JSON.stringify(config)}</script><script>${ADAPTER}</script></body></html>`,
    });
  });
  await page.goto("https://shop.invalid/product/tee/");
  const prevented = await page.evaluate((d) => !document.dispatchEvent(new CustomEvent("holdfast:held", { cancelable: true, detail: d })), detail);
  await page.waitForURL("https://shop.invalid/product/tee/", { waitUntil: "load" });
  await page.waitForFunction(() => document.body.textContent?.includes("added"));
  await page.close();
  const sent = posted as { url: string; body: string } | null;
  if (!sent) throw new Error("nothing was posted");
  return { url: sent.url, fields: Object.fromEntries(new URLSearchParams(sent.body)), prevented };
}

describe("holdfast-woocommerce.js", () => {
  it("adds a held simple product to the cart with its token through WooCommerce's form handling", async () => {
    const form = '<form class="cart"><input name="quantity" value="1"><button name="add-to-cart" value="101">Add</button></form>';
    const result = await heldOn(
      form,
      { "101": "item-a" },
      { saleId: "s1", itemId: "item-a", quantity: 2, holdId: "h1", token: "tok.en.x", expiresAt: new Date().toISOString() },
    );
    expect(result.prevented).toBe(true);
    expect(result.fields).toEqual({ "add-to-cart": "101", quantity: "2", holdfast_token: "tok.en.x" });
  });

  it("adds a held variation under its parent product", async () => {
    const form =
      '<form class="variations_form cart"><input name="quantity" value="1"><input type="hidden" name="product_id" value="200"><input type="hidden" name="variation_id" value="201"></form>';
    const result = await heldOn(
      form,
      { "201": "item-b" },
      { saleId: "s1", itemId: "item-b", quantity: 1, holdId: "h2", token: "tok.en.y", expiresAt: new Date().toISOString() },
    );
    expect(result.fields).toEqual({ "add-to-cart": "200", product_id: "200", variation_id: "201", quantity: "1", holdfast_token: "tok.en.y" });
  });
});

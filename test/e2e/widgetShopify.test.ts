import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { storefrontDrops, type StorefrontDrops } from "../../app/drops/storefrontDrop.server.ts";
import { launchBrowser, SCREENSHOTS, startDemoServer, type Browsing, type DemoServer } from "./widgetHarness.ts";

// The widget as the app embed runs it on a Shopify theme: same-origin calls to /apps/holdfast
// (Shopify's app proxy), a theme product form, and the cart through /cart/add.js. The store is
// a stand-in for Shopify's storefront: it serves a theme-like product page, forwards the app
// proxy path to the real Holdfast server, and records cart additions.

const EXTENSION = new URL("../../extensions/waiting-room/", import.meta.url);
const VARIANT_ID = 4242;

let holdfast: DemoServer;
let browsing: Browsing;
let store: Server;
let storeBase = "";
const cartAdds: unknown[] = [];
let page = "";
/** When set, the app proxy answers this status instead of reaching Holdfast (Holdfast down). */
let proxyDown: number | null = null;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

function productPage(config: unknown): string {
  return `<!doctype html><html lang="en"><head><title>Sneaker</title>
<link rel="stylesheet" href="/assets/holdfast-waiting-room.css">
<script type="application/json" id="holdfast-config">${JSON.stringify(config).replace(/</g, "\\u003c")}</script>
<script src="/assets/holdfast-waiting-room.js" defer></script></head><body>
<h1>Sneaker</h1>
<form action="/cart/add" method="post" id="product-form">
  <input type="hidden" name="id" value="${VARIANT_ID}">
  <label>Quantity <input name="quantity" type="number" value="1"></label>
  <button type="submit" name="add">Add to cart</button>
  <div class="shopify-payment-button"><button type="button">Buy it now</button></div>
</form>
<script>
  // The theme's own handler, which the widget must pre-empt for drop items.
  document.getElementById("product-form").addEventListener("submit", () => { window.themeSubmitted = true; });
</script>
</body></html>`;
}

beforeAll(async () => {
  [holdfast, browsing] = await Promise.all([startDemoServer(), launchBrowser()]);
  store = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? "/";
      const body = await readBody(req);
      if (url.startsWith("/apps/holdfast/") && proxyDown !== null) {
        res.writeHead(proxyDown, { "content-type": "text/html" });
        return res.end("<html>Bad gateway</html>");
      }
      if (url === "/cart/add" && req.method === "POST") {
        // The theme's own form post, which the widget lets through for drops it does not guard.
        cartAdds.push({ form: new URLSearchParams(body.toString()).get("id") });
        res.writeHead(302, { location: "/cart" });
        return res.end();
      }
      if (url.startsWith("/apps/holdfast/")) {
        // Shopify's app proxy hop; the real one also signs the query and drops cookies.
        const headers: Record<string, string> = {};
        for (const name of ["content-type", "authorization", "x-holdfast-session", "x-holdfast-pass"]) {
          const value = req.headers[name];
          if (typeof value === "string") headers[name] = value;
        }
        const answer = await fetch(`${holdfast.base}/v1/${url.slice("/apps/holdfast/".length)}`, {
          method: req.method,
          headers,
          body: body.length ? body.toString() : undefined,
        });
        const retryAfter = answer.headers.get("retry-after");
        res.writeHead(answer.status, {
          "content-type": answer.headers.get("content-type") ?? "application/json",
          ...(retryAfter ? { "retry-after": retryAfter } : {}),
        });
        return res.end(Buffer.from(await answer.arrayBuffer()));
      }
      if (url.startsWith("/assets/")) {
        const file = url.endsWith(".js") ? "holdfast-waiting-room.js" : "holdfast-waiting-room.css";
        res.writeHead(200, { "content-type": url.endsWith(".js") ? "text/javascript" : "text/css" });
        return res.end(await readFile(new URL(`assets/${file}`, EXTENSION)));
      }
      if (url === "/cart/add.js" && req.method === "POST") {
        const added = JSON.parse(body.toString()) as unknown;
        cartAdds.push(added);
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify(added));
      }
      res.writeHead(200, { "content-type": "text/html" });
      res.end(url.startsWith("/products/") ? page : `<!doctype html><html lang="en"><title>${url}</title><h1>${url.slice(1)}</h1></html>`);
    })();
  });
  await new Promise<void>((resolve) => store.listen(0, "127.0.0.1", resolve));
  storeBase = `http://127.0.0.1:${(store.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browsing?.close();
  await new Promise((resolve) => store?.close(resolve));
  await holdfast?.close();
});

async function shopifyPage(saleId: string, itemId: string) {
  const locale = JSON.parse(await readFile(new URL("locales/en.default.json", EXTENSION), "utf8")) as { holdfast: Record<string, string> };
  page = productPage({ api: "/apps/holdfast", sale: saleId, platform: "shopify", root: "/", items: { [VARIANT_ID]: itemId }, strings: locale.holdfast });
  const shopper = await browsing.shopper();
  await shopper.page.goto(`${storeBase}/products/sneaker`);
  return shopper;
}

describe("widget on a Shopify theme", () => {
  it("takes over the product form, holds after the line, and adds the line with the hold to the cart", async () => {
    const { saleId, itemIds } = await holdfast.createSale({ admission: { mode: "rate", perMinute: 600 } });
    const { page: tab, errors, context } = await shopifyPage(saleId, itemIds[0] as string);
    await tab.fill("input[name=quantity]", "2");
    await tab.getByRole("button", { name: "Add to cart" }).click();
    await tab.waitForURL(`${storeBase}/cart`, { timeout: 15_000 });
    expect(await tab.evaluate(() => (window as { themeSubmitted?: boolean }).themeSubmitted ?? false)).toBe(false);

    expect(cartAdds).toHaveLength(1);
    const line = (cartAdds[0] as { items: { id: number; quantity: number; properties: Record<string, string> }[] }).items[0];
    expect(line).toMatchObject({ id: VARIANT_ID, quantity: 2, properties: { _holdfast_hold: expect.any(String), _holdfast_token: expect.any(String) } });
    const counters = (await holdfast.app.sales.get(saleId)).counters[itemIds[0] as string];
    expect(counters).toMatchObject({ held: 2 });
    // The flow is finished: nothing resumes on the next page.
    expect(await tab.evaluate((key) => window.localStorage.getItem(key), `holdfast:${saleId}`)).toBeNull();
    await tab.screenshot({ path: `${SCREENSHOTS}widget-shopify-cart.png` });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("sends Buy it now to checkout after the hold", async () => {
    const { saleId, itemIds } = await holdfast.createSale({ admission: { mode: "off" } });
    const { page: tab, errors, context } = await shopifyPage(saleId, itemIds[0] as string);
    await tab.getByRole("button", { name: "Buy it now" }).click();
    await tab.waitForURL(`${storeBase}/checkout`, { timeout: 15_000 });
    expect((await holdfast.app.sales.get(saleId)).counters[itemIds[0] as string]).toMatchObject({ held: 1 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("stops intercepting a drop's products with the first metafield update after the drop ends", async () => {
    const { saleId, itemIds } = await holdfast.createSale({ admission: { mode: "rate", perMinute: 600 } });
    const itemId = itemIds[0] as string;
    const locale = JSON.parse(await readFile(new URL("locales/en.default.json", EXTENSION), "utf8")) as { holdfast: Record<string, string> };
    // What the app embed renders from the metafield the app publishes (app/drops/storefrontDrop.server.ts).
    const publish = async () => {
      const { sale } = await holdfast.app.sales.get(saleId);
      const value: StorefrontDrops = JSON.parse(JSON.stringify(storefrontDrops([{ saleId, state: sale.state, variants: { [VARIANT_ID]: itemId } }])));
      page = productPage({
        api: "/apps/holdfast",
        platform: "shopify",
        root: "/",
        ...(value.drops.length > 0 ? { drops: value.drops } : {}),
        strings: locale.holdfast,
      });
      return value;
    };
    expect((await publish()).drops).toEqual([{ sale: saleId, fail: "closed", items: { [VARIANT_ID]: itemId } }]);
    const { page: tab, errors, context } = await browsing.shopper();
    await tab.goto(`${storeBase}/products/sneaker`);
    await tab.getByRole("button", { name: "Add to cart" }).click();
    await tab.getByRole("dialog").waitFor();
    // While the drop runs, the widget takes the click through the line to a hold and adds the
    // line with it. The drop ends only after that flow: ended under it, the flow's next call
    // would meet a 409 (sale_ended), which the browser logs as an error.
    await tab.waitForURL(`${storeBase}/cart`, { timeout: 15_000 });
    expect(cartAdds.at(-1)).toMatchObject({ items: [{ id: VARIANT_ID, properties: { _holdfast_hold: expect.any(String) } }] });

    await holdfast.app.sales.transition(saleId, "end");
    expect((await publish()).drops).toEqual([]);
    const before = cartAdds.length;
    await tab.goto(`${storeBase}/products/sneaker`);
    await tab.getByRole("button", { name: "Add to cart" }).click();
    await tab.waitForURL(`${storeBase}/cart`, { timeout: 15_000 });
    // The theme's own handler ran and the form posted to Shopify's /cart/add: nothing intercepted it.
    expect(cartAdds.slice(before)).toEqual([{ form: String(VARIANT_ID) }]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("lets the shopper buy when Holdfast is unreachable for a fail-open drop, and keeps a fail-closed one waiting", async () => {
    const { saleId, itemIds } = await holdfast.createSale({ admission: { mode: "off" } });
    const locale = JSON.parse(await readFile(new URL("locales/en.default.json", EXTENSION), "utf8")) as { holdfast: Record<string, string> };
    const pageWith = (fail: "open" | "closed") =>
      productPage({
        api: "/apps/holdfast",
        platform: "shopify",
        root: "/",
        drops: [{ sale: saleId, fail, items: { [VARIANT_ID]: itemIds[0] } }],
        strings: locale.holdfast,
      });
    proxyDown = 502;
    try {
      page = pageWith("closed");
      const closed = await browsing.shopper();
      await closed.page.goto(`${storeBase}/products/sneaker`);
      await closed.page.getByRole("button", { name: "Add to cart" }).click();
      await closed.page.waitForFunction(() => document.querySelector(".hf-overlay")?.getAttribute("data-state") === "unavailable");
      const adds = cartAdds.length;

      page = pageWith("open");
      const open = await browsing.shopper();
      await open.page.goto(`${storeBase}/products/sneaker`);
      await open.page.getByRole("button", { name: "Add to cart" }).click();
      await open.page.waitForURL(`${storeBase}/cart`, { timeout: 20_000 });
      expect(cartAdds.slice(adds)).toEqual([{ form: String(VARIANT_ID) }]);
      // Meanwhile (longer than the open one's three failed tries) the fail-closed shopper stayed in the room, adding nothing.
      expect(await closed.page.evaluate(() => [window.location.pathname, document.querySelector(".hf-overlay")?.getAttribute("data-state")])).toEqual([
        "/products/sneaker",
        "unavailable",
      ]);
      // The browser logs each refused proxy call; nothing else may fail.
      expect(open.errors.filter((error) => !/status of 502/.test(error))).toEqual([]);
      await Promise.all([closed.context.close(), open.context.close()]);
    } finally {
      proxyDown = null;
    }
  }, 60_000);
});

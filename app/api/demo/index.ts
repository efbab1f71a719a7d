import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";

import { formatMoney } from "../../core/money.ts";
import { SaleNotFoundError, type SaleDetails, type SaleItem, type SaleService } from "../../core/sales/index.ts";
import { HttpError } from "../HttpError.ts";
import type { Route } from "../router.ts";
import { productPicture } from "./picture.ts";

const WIDGET_DIRECTORY = fileURLToPath(new URL("../../../extensions/waiting-room/", import.meta.url));
const DEMO_DIRECTORY = fileURLToPath(new URL("./", import.meta.url));

/** Everything the page loads: the widget from the theme extension (one home), the demo's own script and style. */
const ASSETS: Record<string, { file: string; type: string }> = {
  "holdfast-waiting-room.js": { file: `${WIDGET_DIRECTORY}assets/holdfast-waiting-room.js`, type: "text/javascript; charset=utf-8" },
  "holdfast-waiting-room.css": { file: `${WIDGET_DIRECTORY}assets/holdfast-waiting-room.css`, type: "text/css; charset=utf-8" },
  "demo.js": { file: `${DEMO_DIRECTORY}demo.js`, type: "text/javascript; charset=utf-8" },
  "demo.css": { file: `${DEMO_DIRECTORY}demo.css`, type: "text/css; charset=utf-8" },
  "favicon.svg": { file: `${DEMO_DIRECTORY}favicon.svg`, type: "image/svg+xml" },
};

// The page runs only our own files: JSON config blocks are data, never executed.
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy": "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
};

export interface DemoRoutesOptions {
  sales: SaleService;
  /** The sale the page shows without `?sale=`; null until npm start has made one. */
  defaultSaleId: () => string | null;
}

/**
 * The local demo storefront at /demo: a static page around the real widget, calling the real
 * storefront API on the same origin. Off the hot path: it reads the sale through SaleService.
 */
export function demoRoutes(options: DemoRoutesOptions): Route[] {
  const strings = widgetStrings();
  return [
    {
      method: "GET",
      path: "/demo",
      handler: async ({ res, query }) => {
        // Shoppers get pages, not JSON: an unknown sale and a missing demo sale say what to do.
        const saleId = query.get("sale") ?? options.defaultSaleId();
        if (!saleId) {
          return sendPage(res, renderNotice("No demo drop yet", "Start Holdfast with npm start (it makes one), or open /demo?sale=<saleId>."), 404);
        }
        const details = await saleDetails(options.sales, saleId);
        if (!details) return sendPage(res, renderNotice("There is no such drop", "Check the link: this store has no drop with that id."), 404);
        sendPage(res, renderPage(details, strings));
      },
    },
    {
      method: "GET",
      path: "/demo/assets/:file",
      handler: async ({ res, params }) => {
        const asset = Object.hasOwn(ASSETS, params.file as string) ? ASSETS[params.file as string] : undefined;
        if (!asset) throw new HttpError(404, "asset_not_found", `The demo has no asset ${JSON.stringify(params.file)}.`);
        const body = await readFile(asset.file);
        res.writeHead(200, { "content-type": asset.type, "content-length": body.length, "cache-control": "no-cache", "x-content-type-options": "nosniff" });
        res.end(body);
      },
    },
  ];
}

async function saleDetails(sales: SaleService, saleId: string): Promise<SaleDetails | null> {
  try {
    return await sales.get(saleId);
  } catch (error) {
    if (error instanceof SaleNotFoundError) return null;
    throw error;
  }
}

/** The widget's strings come from the theme extension's locale, as on a Shopify store. */
function widgetStrings(): Record<string, string> {
  const locale = JSON.parse(readFileSync(`${WIDGET_DIRECTORY}locales/en.default.json`, "utf8")) as { holdfast: Record<string, string> };
  return locale.holdfast;
}

function sendPage(res: ServerResponse, html: string, status = 200): void {
  res.writeHead(status, { ...PAGE_HEADERS, "content-length": Buffer.byteLength(html) });
  res.end(html);
}

/** JSON inside <script>: `<` escaped so no value can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A page with one message (no drop to show): the store's frame, a heading, what to do. */
export function renderNotice(title: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} · Holdfast demo store</title>
  <link rel="icon" href="/demo/assets/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/demo/assets/demo.css">
</head>
<body>
  <header><p class="demo-badge">Demo store · test payments only</p><h1>${escapeHtml(title)}</h1></header>
  <main><p>${escapeHtml(message)}</p></main>
</body>
</html>
`;
}

/** The price line of a product; nothing for an unpriced one (the checkout then charges the operator's fallback). */
function priceHtml(item: SaleItem): string {
  return item.price === null ? "" : `<p class="demo-price">${escapeHtml(formatMoney(item.price))}</p>`;
}

/** An ended drop: what was on sale, and that it is over; nothing to buy and no widget. */
function renderEnded(details: SaleDetails): string {
  const { sale } = details;
  const items = sale.items
    .map((item) => `<li class="demo-item">${productPicture(item.title)}<h3>${escapeHtml(item.title)}</h3><p class="demo-stock">No longer on sale</p></li>`)
    .join("");
  return renderNotice(sale.name, "This drop has ended. Thank you for coming by.").replace("</main>", `<ul class="demo-items">${items}</ul></main>`);
}

export function renderPage(details: SaleDetails, strings: Record<string, string>): string {
  const { sale } = details;
  if (sale.state === "ended") return renderEnded(details);
  const limit = sale.perCustomerLimit > 0 ? Math.min(sale.perCustomerLimit, 5) : 5;
  const quantities = Array.from({ length: limit }, (_, i) => `<option value="${i + 1}">${i + 1}</option>`).join("");
  const items = sale.items
    .map(
      (item) => `
      <li class="demo-item" data-item="${escapeHtml(item.id)}">
        ${productPicture(item.title)}
        <h3 id="title-${escapeHtml(item.id)}">${escapeHtml(item.title)}</h3>${priceHtml(item)}
        <p class="demo-stock" aria-live="polite"><span data-stock>…</span> of ${item.allocation} left</p>
        <label>Quantity <select data-qty-for="${escapeHtml(item.id)}">${quantities}</select></label>
        <button type="button" class="demo-buy" data-holdfast-item="${escapeHtml(item.id)}" data-holdfast-qty="1" aria-describedby="title-${escapeHtml(item.id)}">Buy now</button>
      </li>`,
    )
    .join("");
  const widget = { api: "/v1", sale: sale.id, platform: "demo", items: Object.fromEntries(sale.items.map((item) => [item.id, item.id])), strings };
  // The price travels as minor units and currency: the checkout panel formats the total with Intl in the browser.
  const demo = { api: "/v1", sale: sale.id, items: sale.items.map((item) => ({ id: item.id, title: item.title, price: item.price })) };
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(sale.name)} · Holdfast demo store</title>
  <link rel="icon" href="/demo/assets/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/demo/assets/demo.css">
  <link rel="stylesheet" href="/demo/assets/holdfast-waiting-room.css">
  <script type="application/json" id="holdfast-demo">${scriptJson(demo)}</script>
  <script type="application/json" id="holdfast-config">${scriptJson(widget)}</script>
  <script src="/demo/assets/demo.js" defer></script>
  <script src="/demo/assets/holdfast-waiting-room.js" defer></script>
</head>
<body>
  <header><p class="demo-badge">Demo store · test payments only</p><h1>${escapeHtml(sale.name)}</h1>
    <p>Limited stock, ${sale.perCustomerLimit > 0 ? `at most ${sale.perCustomerLimit} per customer, ` : ""}reserved for ${sale.holdMinutes} minutes once it's your turn.</p>
    <p class="demo-soldout" role="status" hidden>Sold out</p>
  </header>
  <main>
    <ul class="demo-items">${items}
    </ul>
    <section class="demo-checkout" aria-labelledby="checkout-title" hidden>
      <h2 id="checkout-title" tabindex="-1">Checkout</h2>
      <p data-held></p>
      <p data-order role="status" aria-live="polite"></p>
      <div class="demo-actions">
        <button type="button" data-pay>Pay with the test card</button>
        <button type="button" data-release>Release my reservation</button>
      </div>
    </section>
  </main>
</body>
</html>
`;
}

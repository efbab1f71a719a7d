// "Put it on your store": what the merchant does so shoppers meet the drop's waiting room,
// by the platform the drop's store is on.
import { readFile } from "node:fs/promises";

import type { SaleDetails } from "../core/sales/index.ts";
import { StoreRecords } from "../db/StoreRecords.ts";
import type { DropsDeps } from "./deps.server.ts";
import { readinessLinks } from "./readiness.server.ts";

export type Placement =
  /** The theme app extension's embed, turned on once per theme; the drop reaches the storefront by itself (metafield). */
  | { kind: "shopify"; shop: string; appEmbedUrl: string | null }
  /** The WordPress plugin gates and shows the widget on the drop's products once connected. */
  | { kind: "woocommerce"; domain: string }
  /** A storefront of the merchant's own: the widget's script and its configuration. */
  | { kind: "snippet"; snippet: string };

/** JSON inside <script>: `<` escaped so no value can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value, null, 2).replace(/</g, "\\u003c");

// The widget's English strings, as the theme extension ships them (the demo store reads the same file).
const LOCALE_FILE = new URL("../../extensions/waiting-room/locales/en.default.json", import.meta.url);

async function widgetStrings(): Promise<Record<string, string>> {
  const locale = JSON.parse(await readFile(LOCALE_FILE, "utf8")) as { holdfast?: Record<string, string> };
  return locale.holdfast ?? {};
}

export function widgetSnippet(origin: string, details: SaleDetails, strings: Record<string, string>): string {
  // The store's own product ids map to the drop's items; unlinked items are bought with data-holdfast-item buttons.
  const items = Object.fromEntries(details.sale.items.map((item) => [item.platformRef ?? item.id, item.id]));
  return [
    `<link rel="stylesheet" href="${origin}/demo/assets/holdfast-waiting-room.css">`,
    `<script type="application/json" id="holdfast-config">${scriptJson({ api: `${origin}/v1`, sale: details.sale.id, items, strings })}</script>`,
    `<script src="${origin}/demo/assets/holdfast-waiting-room.js" defer></script>`,
  ].join("\n");
}

/** `appKey`: the Shopify app's client id, null when the Shopify part is off on this server. */
export async function placementOf(deps: DropsDeps, details: SaleDetails, origin: string, appKey: string | null): Promise<Placement> {
  const store = details.sale.storeId === null ? null : await new StoreRecords(deps.db).platformOf(details.sale.storeId);
  if (store?.platform === "shopify") return { kind: "shopify", shop: store.domain, appEmbedUrl: appKey ? readinessLinks(store.domain, appKey).appEmbed : null };
  if (store?.platform === "woocommerce") return { kind: "woocommerce", domain: store.domain };
  return { kind: "snippet", snippet: widgetSnippet(origin, details, await widgetStrings()) };
}

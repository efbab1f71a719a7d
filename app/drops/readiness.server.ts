import type { SaleDetails } from "../core/sales/index.ts";
import { readinessManualKey } from "../core/keys.ts";
import {
  ITEMS_READINESS,
  MAIN_THEME_SETTINGS,
  MAX_VARIANT_LOOKUP,
  WEBHOOK_SUBSCRIPTIONS,
  type ItemReadinessData,
} from "../platforms/shopify/adminDocuments.ts";
import { parseStockRef, type StockAt } from "../platforms/shopify/refs.ts";
import { chunks, readAdmin, type AdminGraphql } from "./adminGraphql.server.ts";
import type { DropsDeps } from "./deps.server.ts";
import { PageError, ShopifyReadError } from "./errors.server.ts";
import { gateReadiness } from "./gate/gateReadiness.server.ts";

export type CheckStatus = "pass" | "fail" | "unknown";

export interface ReadinessCheck {
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found, and when it is not "pass", what to do. */
  detail: string;
  /** Where the merchant fixes it (a Shopify admin page, opened in the admin's top frame), when there is one. */
  fix?: { label: string; url: string };
}

/** The waiting room's app embed block (extensions/waiting-room/blocks/waiting-room.liquid). */
export const WAITING_ROOM_EMBED_HANDLE = "waiting-room";

/** Shopify's deep links that open the page where each check is fixed. */
export function readinessLinks(shop: string, appKey: string) {
  const admin = `https://${shop}/admin`;
  return {
    // Opens the live theme's editor on App embeds with Holdfast's waiting room switched on; the merchant saves.
    appEmbed: `${admin}/themes/current/editor?context=apps&activateAppId=${encodeURIComponent(appKey)}/${WAITING_ROOM_EMBED_HANDLE}`,
    products: `${admin}/products`,
    inventory: `${admin}/products/inventory`,
    checkoutRules: `${admin}/settings/checkout`,
  };
}

export interface ManualStep {
  id: string;
  title: string;
  help: string;
  done: boolean;
}

/** Shopify's own advice before a big drop; the merchant ticks them, Holdfast remembers. */
export const MANUAL_STEPS: readonly Omit<ManualStep, "done">[] = [
  {
    id: "checkoutQueue",
    title: "Checkout queue is on (Shopify Plus)",
    help: "Settings > Checkout: Shopify's own throttle queue protects the checkout behind Holdfast's waiting room.",
  },
  { id: "launchpad", title: "Launchpad event scheduled (Shopify Plus)", help: "Launchpad can publish the products and switch the theme at the start time." },
  { id: "themeSpeed", title: "Theme is fast under load", help: "Remove heavy apps and scripts from the product page and run the theme speed report." },
  { id: "testOrder", title: "A test order went through", help: "Place one order on the drop's product with a test payment, then cancel it." },
  {
    id: "rehearsal",
    title: "Drop rehearsed at 2-3x the expected crowd",
    help:
      "Against a staging copy of this deployment, run `npm run surge -- --url <Holdfast URL> --admin-token <token> --shoppers <2-3x your expected crowd> --units <your units>` " +
      '(README, "Rehearse a drop"): it must end with 0 oversold and no errors but sold_out.',
  },
];

/** Topics the order queue needs (Shopify's enum names). */
export const REQUIRED_WEBHOOKS = ["ORDERS_CREATE", "ORDERS_CANCELLED", "INVENTORY_LEVELS_UPDATE", "APP_UNINSTALLED"] as const;

/**
 * The waiting room's app embed in settings_data.json: blocks typed
 * "shopify://apps/<app>/blocks/<block>/<uuid>". Any block of ours whose handle starts with
 * this counts (extensions/waiting-room/blocks/*.liquid with "target": "body").
 */
export const WAITING_ROOM_BLOCK_PREFIX = "waiting-room";

const manualKey = readinessManualKey;

export async function manualSteps(deps: DropsDeps, saleId: string): Promise<ManualStep[]> {
  const ticked = await deps.redis.hgetall(manualKey(saleId));
  return MANUAL_STEPS.map((step) => ({ ...step, done: ticked[step.id] === "1" }));
}

export async function setManualStep(deps: DropsDeps, saleId: string, stepId: string, done: boolean): Promise<void> {
  if (!MANUAL_STEPS.some((step) => step.id === stepId))
    throw new PageError(400, "unknown_step", `There is no manual step "${stepId.slice(0, 40)}"; reload the page.`);
  if (done) await deps.redis.hset(manualKey(saleId), stepId, "1");
  else await deps.redis.hdel(manualKey(saleId), stepId);
}

const availableAt = (item: ItemReadinessData, locationId: string) =>
  item.inventoryLevels.nodes.find((level) => level.location.id === locationId)?.quantities.find((quantity) => quantity.name === "available")?.quantity ?? null;

async function guarded(id: string, title: string, check: () => Promise<Omit<ReadinessCheck, "id" | "title">>): Promise<ReadinessCheck> {
  try {
    return { id, title, ...(await check()) };
  } catch (error) {
    const detail =
      error instanceof ShopifyReadError
        ? error.message
        : `The check failed (${error instanceof Error ? error.message : String(error)}); reload the page to try again.`;
    return { id, title, status: "unknown", detail };
  }
}

/** Every automatic check for one drop, each on its own: one failing read does not hide the others. */
export async function readinessChecks(
  admin: AdminGraphql,
  details: SaleDetails,
  now: number,
  options: { appKey?: string; shop?: string } = {},
): Promise<ReadinessCheck[]> {
  const { sale } = details;
  const links = options.shop === undefined ? null : readinessLinks(options.shop, options.appKey ?? "");
  const fixWith =
    (label: string, url: string | undefined) =>
    (check: ReadinessCheck): ReadinessCheck =>
      check.status === "pass" || url === undefined ? check : { ...check, fix: { label, url } };
  const refs: { title: string; allocation: number; at: StockAt | null }[] = sale.items.map((item) => {
    let at: StockAt | null = null;
    try {
      at = item.platformRef ? parseStockRef(item.platformRef) : null;
    } catch {
      at = null;
    }
    return { title: item.title, allocation: details.counters[item.id]?.available ?? item.allocation, at };
  });
  let itemsRead: Promise<Map<string, ItemReadinessData>> | undefined;
  const items = () =>
    (itemsRead ??= (async () => {
      const found = new Map<string, ItemReadinessData>();
      const ids = [...new Set(refs.flatMap((ref) => (ref.at ? [ref.at.inventoryItemId] : [])))];
      for (const batch of chunks(ids, MAX_VARIANT_LOOKUP)) {
        const data = await readAdmin(admin, ITEMS_READINESS, { ids: batch }, "the drop's products");
        for (const node of data.nodes) if (node && node.__typename === "InventoryItem") found.set((node as ItemReadinessData).id, node as ItemReadinessData);
      }
      return found;
    })());

  const checks = await Promise.all([
    guarded("inventoryPolicy", "Every product tracks inventory and stops selling at zero", async () => {
      if (refs.length === 0) return { status: "fail", detail: "The drop has no products yet: add them on the drop's page." };
      const found = await items();
      const problems: string[] = [];
      for (const ref of refs) {
        const item = ref.at ? found.get(ref.at.inventoryItemId) : undefined;
        if (!ref.at) problems.push(`${ref.title} is not linked to a Shopify product: pick it again with the product picker`);
        else if (!item) problems.push(`${ref.title} no longer exists in Shopify: remove it from the drop`);
        else {
          if (!item.tracked) problems.push(`${ref.title}: turn on "Track quantity" in Shopify`);
          if (item.variants.nodes.some((variant) => variant.inventoryPolicy !== "DENY"))
            problems.push(`${ref.title}: turn off "Continue selling when out of stock" in Shopify`);
        }
      }
      return problems.length === 0
        ? { status: "pass", detail: `All ${refs.length} product(s) track inventory and deny overselling.` }
        : { status: "fail", detail: `${problems.join("; ")}.` };
    }),
    guarded("stockCovers", "Stock in Shopify covers the allocation", async () => {
      const found = await items();
      const short: string[] = [];
      for (const ref of refs) {
        if (!ref.at) continue;
        const item = found.get(ref.at.inventoryItemId);
        const available = item ? availableAt(item, ref.at.locationId) : null;
        if (available === null) short.push(`${ref.title} is not stocked at the drop's location`);
        else if (available < ref.allocation)
          short.push(`${ref.title}: ${ref.allocation} allocated but ${available} available; add stock in Shopify or lower the allocation`);
      }
      if (refs.every((ref) => !ref.at)) return { status: "fail", detail: "No product is linked to Shopify stock yet." };
      return short.length === 0
        ? { status: "pass", detail: "Every linked product has at least its allocation available." }
        : { status: "fail", detail: `${short.join("; ")}.` };
    }),
    guarded("webhooks", "Order and stock webhooks are registered", async () => {
      // The shop's real subscriptions, as Shopify lists them for this app (not what a local file declares).
      const data = await readAdmin(admin, WEBHOOK_SUBSCRIPTIONS, {}, "webhook subscriptions");
      const subscribed = new Set(data.webhookSubscriptions.nodes.map((node) => node.topic));
      const missing = REQUIRED_WEBHOOKS.filter((topic) => !subscribed.has(topic));
      if (missing.length === 0) return { status: "pass", detail: "Every required topic has a subscription for this shop." };
      // Shopify does not list app-scoped subscriptions (shopify.app.toml) here, so a missing topic may still be delivered: say so, do not pass.
      return {
        status: "unknown",
        detail: `Shopify lists no subscription of this shop for ${missing.join(", ")}. If they are declared in shopify.app.toml (app-scoped, which this list never shows), run \`shopify app deploy\` and place a test order: it must appear on the drop's orders page.`,
      };
    }),
    guarded("appEmbed", "The waiting room is enabled in the live theme", async () => {
      let data;
      try {
        data = await readAdmin(admin, MAIN_THEME_SETTINGS, {}, "the live theme");
      } catch (error) {
        throw new ShopifyReadError("the live theme (Holdfast needs the read_themes permission: reinstall or update the app's permissions)", error);
      }
      const theme = data.themes?.nodes[0];
      if (!theme) return { status: "fail", detail: "The shop has no published theme: publish one, then enable Holdfast's waiting room in it." };
      const content = theme.files?.nodes[0]?.body.content;
      if (content === undefined) return { status: "unknown", detail: `Could not read config/settings_data.json of "${theme.name}"; reload to try again.` };
      const enabled = waitingRoomEmbedEnabled(content);
      if (enabled === null)
        return { status: "unknown", detail: `config/settings_data.json of "${theme.name}" is not valid JSON; open the theme editor and save once.` };
      return enabled
        ? { status: "pass", detail: `Enabled in "${theme.name}".` }
        : {
            status: "fail",
            detail: `Not enabled in "${theme.name}": Online Store > Themes > Customize > App embeds, turn on the Holdfast waiting room, then Save.`,
          };
    }),
    guarded("checkoutGate", "Checkout gate active", () => gateReadiness(admin, options.appKey ?? "", sale)),
    guarded("scheduled", "The drop is scheduled", async () => {
      if (sale.state === "live" || sale.state === "paused" || sale.state === "prequeue") return { status: "pass", detail: `The drop is ${sale.state}.` };
      if (sale.state === "ended") return { status: "fail", detail: "The drop has ended; create a new drop for the next release." };
      if (sale.schedule.startsAt === null)
        return { status: "fail", detail: "No start time: set one on the drop's page (or start it by hand from the live page)." };
      if (sale.schedule.startsAt <= now)
        return { status: "fail", detail: "The start time has passed but the drop has not started: check that the worker runs." };
      return { status: "pass", detail: `Starts ${new Date(sale.schedule.startsAt).toISOString()}.` };
    }),
  ]);
  const fixes: Record<string, (check: ReadinessCheck) => ReadinessCheck> = {
    inventoryPolicy: fixWith("Open products in Shopify", links?.products),
    stockCovers: fixWith("Open inventory in Shopify", links?.inventory),
    appEmbed: fixWith("Turn on the waiting room in the theme editor", links?.appEmbed),
    checkoutGate: fixWith("Open checkout settings", links?.checkoutRules),
  };
  return checks.map((check) => fixes[check.id]?.(check) ?? check);
}

/** True/false from settings_data.json (comments allowed, as Shopify writes them); null if unreadable. */
export function waitingRoomEmbedEnabled(settingsData: string): boolean | null {
  let parsed: { current?: { blocks?: Record<string, { type?: unknown; disabled?: unknown }> } | string };
  try {
    parsed = JSON.parse(settingsData.replace(/^\s*\/\*[\s\S]*?\*\//, "")) as typeof parsed;
  } catch {
    return null;
  }
  const current = parsed.current;
  if (typeof current !== "object" || current === null) return false;
  const pattern = new RegExp(`^shopify://apps/[^/]+/blocks/${WAITING_ROOM_BLOCK_PREFIX}[^/]*/`);
  return Object.values(current.blocks ?? {}).some((block) => typeof block.type === "string" && pattern.test(block.type) && block.disabled !== true);
}

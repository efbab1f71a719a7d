import { APP_INSTALLATION, DROP_VARIANTS, SET_APP_METAFIELD } from "../platforms/shopify/adminDocuments.ts";
import { parseStockRef } from "../platforms/shopify/refs.ts";
import { variantsOfItems } from "../platforms/shopify/variants.ts";
import type { Sale } from "../core/sales/index.ts";
import { readAdmin, type AdminGraphql } from "./adminGraphql.server.ts";
import { failPolicyOf, STOREFRONT_STATES, type FailPolicy } from "./gate/dropPolicy.ts";
import type { ResolvedDrop } from "./gate/gateConfig.ts";

/** Where the app embed (extensions/waiting-room/blocks/waiting-room.liquid) reads the drops it guards. */
export const DROP_METAFIELD = { namespace: "holdfast", key: "drop" } as const;

/** One drop as the widget reads it: the sale, per numeric variant id the sale item, and what to do when Holdfast is unreachable. */
export interface StorefrontDrop {
  sale: string;
  fail: FailPolicy;
  items: Record<string, string>;
}

/** The metafield's value: every scheduled and running drop of the shop; an ended or deleted one is simply absent. */
export interface StorefrontDrops {
  drops: StorefrontDrop[];
}

/**
 * The variants of every drop the storefront must know (scheduled or running): sale items
 * name inventory items at a location, carts name variants, so Shopify's own
 * inventory item -> variant mapping is read (the adapter's one lookup) for all drops at once.
 */
export async function resolveDrops(admin: AdminGraphql, sales: readonly Sale[]): Promise<ResolvedDrop[]> {
  const shown = sales.filter((sale) => STOREFRONT_STATES.has(sale.state));
  const owners = new Map<string, { sale: Sale; itemId: string }[]>();
  for (const sale of shown) {
    for (const item of sale.items) {
      if (!item.platformRef) continue;
      const inventoryItemId = parseStockRef(item.platformRef).inventoryItemId;
      owners.set(inventoryItemId, [...(owners.get(inventoryItemId) ?? []), { sale, itemId: item.id }]);
    }
  }
  const variants = new Map<string, Record<string, string>>(shown.map((sale) => [sale.id, {}]));
  const ofItem = await variantsOfItems((variables) => readAdmin(admin, DROP_VARIANTS, variables, "the drops' variants"), owners.keys());
  for (const [item, variant] of ofItem) {
    const numeric = /\/(\d+)$/.exec(variant)?.[1];
    if (!numeric) continue;
    for (const owner of owners.get(item) ?? []) (variants.get(owner.sale.id) as Record<string, string>)[numeric] = owner.itemId;
  }
  return shown.map((sale) => ({
    saleId: sale.id,
    state: sale.state,
    variants: variants.get(sale.id) ?? {},
    failPolicy: sale.failPolicy === "auto" ? null : sale.failPolicy,
  }));
}

/** The metafield's value: a drop that is not scheduled or running is left out, so the widget stops intercepting it. */
export function storefrontDrops(drops: readonly ResolvedDrop[]): StorefrontDrops {
  return {
    drops: drops
      .filter((drop) => STOREFRONT_STATES.has(drop.state))
      .map((drop) => ({ sale: drop.saleId, fail: failPolicyOf(drop.state, drop.failPolicy), items: drop.variants })),
  };
}

/** Writes the app-data metafield holdfast.drop of this app's installation (Liquid: app.metafields.holdfast.drop). */
export async function publishStorefrontDrops(admin: AdminGraphql, value: StorefrontDrops): Promise<void> {
  const { currentAppInstallation } = await readAdmin(admin, APP_INSTALLATION, {}, "the app installation");
  const answer = await readAdmin(
    admin,
    SET_APP_METAFIELD,
    { metafields: [{ ownerId: currentAppInstallation.id, ...DROP_METAFIELD, type: "json", value: JSON.stringify(value) }] },
    "the storefront's drops",
  );
  const problem = answer.metafieldsSet?.userErrors[0];
  if (problem) throw new Error(`Shopify refused the storefront's drops: ${problem.message}`);
}

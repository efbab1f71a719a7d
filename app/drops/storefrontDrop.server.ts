import { APP_INSTALLATION, DROP_VARIANTS, MAX_VARIANT_LOOKUP, SET_APP_METAFIELD } from "../platforms/shopify/adminDocuments.ts";
import { parseStockRef } from "../platforms/shopify/refs.ts";
import type { Logger } from "../core/logger.ts";
import type { Sale } from "../core/sales/index.ts";
import { chunks, readAdmin, type AdminGraphql } from "./adminGraphql.server.ts";

/** Where the app embed (extensions/waiting-room/blocks/waiting-room.liquid) reads the drop it guards. */
export const DROP_METAFIELD = { namespace: "holdfast", key: "drop" } as const;

/** The value the widget reads: the sale and, per numeric variant id, the sale item. */
export interface StorefrontDrop {
  sale: string;
  items: Record<string, string>;
}

/**
 * Publishes `sale` as the drop the storefront's waiting room guards: the app-data metafield
 * holdfast.drop of this app's installation, with each item's variant (sale items name
 * inventory items at a location; carts name variants). The last drop saved wins, which is
 * the one the merchant is working on. Returns what it published.
 */
export async function publishStorefrontDrop(admin: AdminGraphql, sale: Sale): Promise<StorefrontDrop> {
  const itemOfInventoryItem = new Map<string, string>();
  for (const item of sale.items) {
    if (item.platformRef) itemOfInventoryItem.set(parseStockRef(item.platformRef).inventoryItemId, item.id);
  }
  const items: Record<string, string> = {};
  for (const ids of chunks([...itemOfInventoryItem.keys()], MAX_VARIANT_LOOKUP)) {
    const data = await readAdmin(admin, DROP_VARIANTS, { itemIds: ids }, "the drop's variants");
    for (const node of data.nodes) {
      if (!node || !("id" in node)) continue;
      const variant = node.variants.nodes[0]?.id;
      const itemId = itemOfInventoryItem.get(node.id);
      const numeric = variant ? /\/(\d+)$/.exec(variant)?.[1] : undefined;
      if (numeric && itemId) items[numeric] = itemId;
    }
  }
  const drop: StorefrontDrop = { sale: sale.id, items };
  const { currentAppInstallation } = await readAdmin(admin, APP_INSTALLATION, {}, "the app installation");
  const answer = await readAdmin(
    admin,
    SET_APP_METAFIELD,
    { metafields: [{ ownerId: currentAppInstallation.id, ...DROP_METAFIELD, type: "json", value: JSON.stringify(drop) }] },
    "the storefront's drop",
  );
  const problem = answer.metafieldsSet?.userErrors[0];
  if (problem) throw new Error(`Shopify refused the storefront's drop: ${problem.message}`);
  return drop;
}

/**
 * Publishing is a convenience for the theme: a drop saved without it still runs (the embed's
 * own settings can name the sale), so a failure is logged and reported, never fatal to the save.
 */
export async function tryPublishStorefrontDrop(admin: AdminGraphql, sale: Sale, logger: Logger): Promise<boolean> {
  try {
    await publishStorefrontDrop(admin, sale);
    return true;
  } catch (error) {
    logger.warn("could not publish the storefront's drop; the app embed's settings can name the sale instead", { saleId: sale.id, error: error instanceof Error ? error.message : String(error) });
    return false;
  }
}

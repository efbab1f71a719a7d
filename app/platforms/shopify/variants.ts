import { MAX_VARIANT_LOOKUP } from "./adminDocuments.ts";
import type { VariantsOfItemsData, VariantsOfItemsVariables } from "./documents.ts";

/** Sends VARIANTS_OF_ITEMS (documents.ts) for one batch, with whichever session the caller holds; throws when Shopify does not answer. */
export type VariantsOfItemsQuery = (variables: VariantsOfItemsVariables) => Promise<VariantsOfItemsData>;

/**
 * Inventory item gid -> its variant gid, the one lookup for every caller (the adapter's draft
 * orders, the worker's order lines, the storefront's drop list): sale items name Shopify stock
 * by inventory item and location, while orders, carts and draft orders name variants, and each
 * inventory item belongs to exactly one variant. Sent in batches of MAX_VARIANT_LOOKUP ids;
 * items Shopify does not know are absent from the answer.
 */
export async function variantsOfItems(query: VariantsOfItemsQuery, itemIds: Iterable<string>): Promise<Map<string, string>> {
  const ids = [...new Set(itemIds)];
  const variants = new Map<string, string>();
  for (let i = 0; i < ids.length; i += MAX_VARIANT_LOOKUP) {
    const data = await query({ itemIds: ids.slice(i, i + MAX_VARIANT_LOOKUP) });
    for (const node of data.nodes) {
      if (!node || !("id" in node)) continue;
      const variant = node.variants.nodes[0]?.id;
      if (variant) variants.set(node.id, variant);
    }
  }
  return variants;
}

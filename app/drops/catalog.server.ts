import type { DropFormItem } from "../components/dropForm.ts";
import {
  MAX_VARIANT_LOOKUP,
  PRODUCT_SEARCH,
  SHOP_SETTINGS,
  VARIANTS_WITH_STOCK,
  type LevelData,
  type VariantData,
} from "../platforms/shopify/adminDocuments.ts";
import { gidType, stockRef } from "../platforms/shopify/refs.ts";
import { chunks, readAdmin, type AdminGraphql } from "./adminGraphql.server.ts";
import { PageError } from "./errors.server.ts";

export interface ShopSettings {
  name: string;
  timeZone: string;
  plus: boolean;
}

export async function shopSettings(admin: AdminGraphql): Promise<ShopSettings> {
  const { shop } = await readAdmin(admin, SHOP_SETTINGS, {}, "the shop's settings");
  return { name: shop.name, timeZone: shop.ianaTimezone, plus: shop.plan.shopifyPlus };
}

export interface ProductHit {
  id: string;
  title: string;
  variants: { id: string; title: string; sku: string | null; inventoryQuantity: number | null }[];
}

/** The picker's fallback when App Bridge is not there: a title search over the Admin API. */
export async function searchProducts(admin: AdminGraphql, text: string): Promise<ProductHit[]> {
  const term = text.trim().slice(0, 100);
  // Shopify search syntax: a title prefix/infix match; quotes, backslashes and stars would be operators.
  const query = term === "" ? null : `title:*${term.replace(/["\\*]/g, " ").trim()}*`;
  const data = await readAdmin(admin, PRODUCT_SEARCH, { query }, "products");
  return data.products.nodes.map((product) => ({
    id: product.id,
    title: product.title,
    variants: product.variants.nodes.map((variant) => ({
      id: variant.id,
      title: variant.title,
      sku: variant.sku,
      inventoryQuantity: variant.inventoryQuantity,
    })),
  }));
}

const availableAt = (level: LevelData) => level.quantities.find((quantity) => quantity.name === "available")?.quantity ?? 0;

/**
 * Chosen variants as form rows: the stock unit is the variant's inventory item at one
 * location (the adapter's ref format), by default the location with the most available, and
 * the allocation defaults to what is available there now.
 */
export async function variantRows(admin: AdminGraphql, variantIds: readonly string[]): Promise<DropFormItem[]> {
  const ids = [...new Set(variantIds)];
  if (ids.length === 0) return [];
  if (ids.length > 100) throw new PageError(400, "too_many_variants", "Pick at most 100 variants for one drop.");
  for (const id of ids) {
    if (gidType(id) !== "ProductVariant")
      throw new PageError(400, "invalid_variant", `"${id.slice(0, 80)}" is not a product variant; pick variants with the product picker.`);
  }
  const variants: VariantData[] = [];
  for (const batch of chunks(ids, MAX_VARIANT_LOOKUP)) {
    const data = await readAdmin(admin, VARIANTS_WITH_STOCK, { ids: batch }, "the chosen variants' stock");
    for (const node of data.nodes) if (node && node.__typename === "ProductVariant") variants.push(node as VariantData);
  }
  return variants.map((variant) => {
    const levels = [...variant.inventoryItem.inventoryLevels.nodes].sort((a, b) => availableAt(b) - availableAt(a));
    const best = levels[0];
    const title = variant.title === "Default Title" ? variant.product.title : `${variant.product.title} - ${variant.title}`;
    if (!best) return { title, allocation: "0", platformRef: "", note: "Not stocked at any location: stock it in Shopify first." };
    const stock = availableAt(best);
    return {
      title,
      allocation: String(Math.max(0, stock)),
      platformRef: stockRef({ inventoryItemId: variant.inventoryItem.id, locationId: best.location.id }),
      note: `${best.location.name}: ${stock} available${variant.inventoryItem.tracked ? "" : " (inventory not tracked!)"}${variant.inventoryPolicy === "CONTINUE" ? " (keeps selling when out of stock!)" : ""}`,
    };
  });
}

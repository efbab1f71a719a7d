import { PlatformError } from "../../core/platform/index.ts";

/**
 * Shopify's stock unit is an inventory item at a location. The adapter's StockRef joins the
 * two global ids: "gid://shopify/InventoryItem/1@gid://shopify/Location/2".
 */
export interface StockAt {
  inventoryItemId: string;
  locationId: string;
}

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/;

export function gid(type: string, id: string | number): string {
  return `gid://shopify/${type}/${id}`;
}

/** The resource type of a Shopify global id ("InventoryItem", "DraftOrder", ...), or null. */
export function gidType(value: string): string | null {
  return GID.exec(value)?.[1] ?? null;
}

export function stockRef(at: StockAt): string {
  return `${at.inventoryItemId}@${at.locationId}`;
}

export function parseStockRef(ref: string): StockAt {
  const [inventoryItemId, locationId, extra] = ref.split("@");
  if (extra !== undefined || !inventoryItemId || !locationId || gidType(inventoryItemId) !== "InventoryItem" || gidType(locationId) !== "Location") {
    throw new PlatformError("rejected", `not a Shopify stock ref (InventoryItem gid @ Location gid): ${JSON.stringify(ref)}`, { code: "bad_ref" });
  }
  return { inventoryItemId, locationId };
}

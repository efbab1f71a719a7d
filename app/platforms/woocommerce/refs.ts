import { PlatformError } from "../../core/platform/index.ts";

/**
 * Holdfast's references to WooCommerce stock: "123" is product 123 (simple, or a variable product
 * that manages stock itself), "123:456" is variation 456 of product 123. The parent travels with
 * the variation because every variation endpoint is addressed through its parent.
 */
export type WooRef =
  | { readonly kind: "product"; readonly ref: string; readonly productId: number }
  | { readonly kind: "variation"; readonly ref: string; readonly productId: number; readonly variationId: number };

const REF = /^([1-9]\d{0,15})(?::([1-9]\d{0,15}))?$/;

export function parseWooRef(ref: string): WooRef {
  const match = REF.exec(ref);
  if (!match?.[1]) {
    throw new PlatformError("rejected", `"${ref}" is not a WooCommerce reference ("<product id>" or "<product id>:<variation id>")`, {
      code: "holdfast_invalid_ref",
    });
  }
  const productId = Number(match[1]);
  return match[2] ? { kind: "variation", ref, productId, variationId: Number(match[2]) } : { kind: "product", ref, productId };
}

export function productRef(productId: number): string {
  return String(productId);
}

export function variationRef(productId: number, variationId: number): string {
  return `${productId}:${variationId}`;
}

/** Positive WooCommerce ids (orders, products) as the API returns them. */
export function parseWooId(value: string, what: string): number {
  if (!/^[1-9]\d{0,15}$/.test(value)) {
    throw new PlatformError("rejected", `"${value}" is not a WooCommerce ${what} id`, { code: "holdfast_invalid_ref" });
  }
  return Number(value);
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

import type { SaleSnapshot } from "../../core/inventory/index.ts";
import { sendJson } from "../respond.ts";
import type { RequestContext } from "../router.ts";
import { requireRoom, type StorefrontDeps } from "./deps.ts";

const STOCK_CACHE_MS = 1_000;

/**
 * GET /v1/sales/{saleId}/stock: counters for the widget, cacheable for a second (by us and by
 * any CDN in front), so a crowd refreshing a product page costs one snapshot per second.
 */
export function createStockHandler(deps: StorefrontDeps) {
  const cache = new Map<string, { at: number; body: unknown; pending: Promise<SaleSnapshot | null> | null }>();

  return async ({ res, params }: RequestContext): Promise<void> => {
    const saleId = params.saleId as string;
    await requireRoom(deps, saleId);
    const now = deps.clock.now();
    let entry = cache.get(saleId);
    if (!entry || now - entry.at >= STOCK_CACHE_MS) {
      const pending = entry?.pending ?? deps.holds.snapshot(saleId);
      entry = { at: entry?.at ?? 0, body: entry?.body, pending };
      cache.set(saleId, entry);
      const snapshot = await pending;
      const items = Object.entries(snapshot?.items ?? {}).map(([itemId, c]) => ({ itemId, ...c }));
      entry.body = { items, soldOut: items.length > 0 && items.every((item) => item.available === 0) };
      entry.at = deps.clock.now();
      entry.pending = null;
    }
    sendJson(res, 200, entry.body, { "cache-control": "public, max-age=1" });
  };
}

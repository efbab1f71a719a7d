import { sendJson } from "../respond.ts";
import type { RequestContext } from "../router.ts";
import { requireRoom, type StorefrontDeps } from "./deps.ts";

/**
 * GET /v1/sales/{saleId}/stock (and the app proxy's copy of the route): counters for the
 * widget, cacheable for a second (by us and by any CDN in front), so a crowd refreshing a
 * product page costs one snapshot per second.
 */
export async function saleStock(deps: StorefrontDeps, { res, params }: RequestContext): Promise<void> {
  const saleId = params.saleId as string;
  await requireRoom(deps, saleId);
  sendJson(res, 200, await deps.stock.read(saleId), { "cache-control": "public, max-age=1" });
}

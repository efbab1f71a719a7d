import type { OriginPolicy } from "../api/cors.ts";
import type { RoomViewCache } from "../core/waiting-room/index.ts";
import type { Db } from "../db/client.server.ts";
import { StoreRecords } from "../db/StoreRecords.ts";

const REFRESH_MS = 60_000;

/**
 * A browser may call the storefront API for a sale from the sale's own store (its domain over
 * HTTPS) or from an origin listed for every sale (HOLDFAST_ALLOWED_ORIGINS: the demo, a
 * headless storefront). Shopify storefronts go through the app proxy, on the shop's own
 * origin, and need no CORS at all.
 */
export class StoreOriginPolicy implements OriginPolicy {
  private readonly domains = new Map<string, { domain: string | null; loadedAt: number }>();

  constructor(
    private readonly db: Db,
    private readonly views: RoomViewCache,
    private readonly everywhere: OriginPolicy,
  ) {}

  async isAllowed(origin: string, saleId: string | null): Promise<boolean> {
    if (await this.everywhere.isAllowed(origin, saleId)) return true;
    if (!saleId) return false;
    const view = await this.views.get(saleId).catch(() => null);
    if (!view?.storeId) return false;
    const domain = await this.domainOf(view.storeId);
    return domain !== null && origin === `https://${domain}`;
  }

  private async domainOf(storeId: string): Promise<string | null> {
    const cached = this.domains.get(storeId);
    if (cached && Date.now() - cached.loadedAt < REFRESH_MS) return cached.domain;
    const domain = await new StoreRecords(this.db).installedDomain(storeId);
    this.domains.set(storeId, { domain, loadedAt: Date.now() });
    return domain;
  }
}

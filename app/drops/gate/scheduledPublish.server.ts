import type { Logger } from "../../core/logger.ts";
import type { SaleService } from "../../core/sales/index.ts";
import type { Db } from "../../db/client.server.ts";
import { SHOPIFY_API_VERSION } from "../../platforms/shopify/version.ts";
import type { ShopifyTokenKeeper } from "../../stores/shopifyTokens.server.ts";
import type { AdminGraphql } from "../adminGraphql.server.ts";
import { publishShopDrops } from "./publish.server.ts";

/** The Admin API with a store's offline token, for work no merchant request carries (scheduled starts and ends). */
export function offlineAdmin(shop: string, accessToken: string): AdminGraphql {
  return {
    graphql: (query, options) =>
      fetch(`https://${shop}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-access-token": accessToken },
        body: JSON.stringify({ query, variables: options?.variables ?? {} }),
        signal: AbortSignal.timeout(10_000),
      }),
  };
}

export interface ScheduledPublishDeps {
  sales: SaleService;
  db: Db;
  masterKey: Buffer;
  appKey: string;
  logger: Logger;
  /** The store's current offline token (refreshed ahead of expiry, one refresh per shop). */
  tokens: Pick<ShopifyTokenKeeper, "access">;
}

/**
 * After a scheduled start or end (the sale-lifecycle worker's), republishes the sale's shop
 * so the storefront and the checkout gate follow the schedule, not the next save. A failure
 * is logged: the transition itself stands, and the next save or transition publishes again.
 */
export async function publishAfterTransition(deps: ScheduledPublishDeps, saleId: string): Promise<boolean> {
  try {
    const { sale } = await deps.sales.get(saleId);
    const access = sale.storeId ? await deps.tokens.access(sale.storeId) : null;
    if (!access || !sale.storeId) return false;
    await publishShopDrops(offlineAdmin(access.shop, access.accessToken), deps, sale.storeId);
    return true;
  } catch (error) {
    deps.logger.warn("could not publish the shop's drops after a scheduled transition", {
      saleId,
      error: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
}

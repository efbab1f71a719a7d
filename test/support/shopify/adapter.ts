import { CostBudget, platformPolicy, type PlatformPolicyOptions, type RateBudget } from "../../../app/core/resilience/index.ts";
import { ShopifyPlatform, type ShopifyPlatformOptions } from "../../../app/platforms/shopify/index.ts";
import { startShopifyStandIn, type BucketConfig, type ShopifyStandIn, type ShopState } from "./standIn.ts";

export const SHOP = "holdfast-test.myshopify.com";
export const TOKEN = "shpat_standin_token";

export interface Rig {
  standIn: ShopifyStandIn;
  shop: ShopState;
  /** An adapter for SHOP through the stand-in, with its own budget and (by default, no-retry) policy. */
  platform(options?: { policy?: PlatformPolicyOptions; budget?: RateBudget } & Omit<Partial<ShopifyPlatformOptions>, "policy" | "budget">): ShopifyPlatform;
  close(): Promise<void>;
}

/** A stand-in with one shop, and adapters wired to it through the client's customFetchApi. */
export async function shopifyRig(bucket: Partial<BucketConfig> = {}): Promise<Rig> {
  const standIn = await startShopifyStandIn([{ domain: SHOP, accessToken: TOKEN, bucket }]);
  return {
    standIn,
    shop: standIn.shop(SHOP),
    platform: ({ policy, budget, ...rest } = {}) =>
      new ShopifyPlatform({
        shopDomain: SHOP,
        accessToken: TOKEN,
        fetchApi: standIn.fetch,
        policy: platformPolicy({ retries: 0, storeId: SHOP, platform: "shopify", ...policy }),
        budget: budget ?? new CostBudget(),
        ...rest,
      }),
    close: () => standIn.close(),
  };
}

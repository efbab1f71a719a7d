export { ALL_OPERATIONS, type Operation } from "./documents.ts";
export { gid, gidType, parseStockRef, stockRef, type StockAt } from "./refs.ts";
export { processBudgets, ShopifyClient, type AccessTokenSource, type ShopifyClientOptions, type ShopifyFetch } from "./ShopifyClient.ts";
export { ShopifyPlatform, type ShopifyPlatformOptions, type StockChange } from "./ShopifyPlatform.ts";
export { queryCostOf, retryAfterMs, type QueryCost } from "./throttle.ts";
export { SHOPIFY_API_VERSION, SHOPIFY_MAX_INPUT } from "./version.ts";

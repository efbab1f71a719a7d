export { adminSaleRoutes, type AdminSaleRoutesOptions } from "./saleRoutes.ts";
export { bearerGuard, MIN_ADMIN_TOKEN_LENGTH } from "./auth.ts";
export { saleJson, saleSummaryJson, type SaleJson } from "./present.ts";

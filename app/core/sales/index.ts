export { roomSettings, SaleService, type SaleLifecycleHook, type SaleServiceDependencies } from "./SaleService.ts";
export type { SaleRepository } from "./SaleRepository.ts";
export { InvalidTransitionError, SaleConflictError, SaleNotFoundError, type SaleConflictCode } from "./errors.ts";
export { newId } from "./ids.ts";
export { newSaleConfig } from "./newSale.ts";
export { planPatch } from "./patch.ts";
export { FAIL_POLICIES, SALE_LIMITS } from "./validation.ts";
export type * from "./types.ts";

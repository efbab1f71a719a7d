import type { Sale, SaleConfig, SaleState } from "./types.ts";

/**
 * Where sales are kept durably (SQL through Prisma in the app). The core only needs these
 * few operations; adapters implement them (app/db/PrismaSaleRepository.ts).
 */
export interface SaleRepository {
  /** Stores a new sale with its items; the id is new. */
  create(sale: SaleConfig): Promise<Sale>;
  /** Replaces the sale's configuration and its item list (items left out are deleted). */
  update(sale: SaleConfig): Promise<Sale>;
  /** Sets only the state; false when there is no such sale. */
  setState(saleId: string, state: SaleState): Promise<boolean>;
  get(saleId: string): Promise<Sale | null>;
  /** Newest first. */
  /** Newest first, at most `limit`, only `storeId`'s when given. */
  list(options: { limit: number; storeId?: string }): Promise<Sale[]>;
}

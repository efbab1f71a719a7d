import type { CommitResult, HoldEngine, ReleaseResult, SettleRequest, SettleResult, TakeRequest, TakeResult } from "../inventory/index.ts";
import { saleInventoryKeys } from "../keys.ts";
import type { RedisClient } from "../redis.ts";

/** The stock operations the order processor needs: the hold engine's, plus one read. */
export interface OrderInventory {
  commit(saleId: string, holdId: string, orderRef: string): Promise<CommitResult>;
  take(saleId: string, request: TakeRequest): Promise<TakeResult>;
  release(saleId: string, holdId: string): Promise<ReleaseResult>;
  /** A platform order, line by line (HoldEngine.settleOrder). */
  settleOrder(saleId: string, request: SettleRequest): Promise<SettleResult>;
  /**
   * What the inventory recorded for an order: the id of the hold it was committed from,
   * "take" when it was sold without a hold, or null when it sold nothing.
   */
  recordedOrder(saleId: string, orderRef: string): Promise<string | null>;
}

/**
 * The HoldEngine as OrderInventory. `recordedOrder` reads the sale's orders hash (the one the
 * commit and take scripts use for idempotency, see inventory/lua/includes/saleKeys.lua);
 * HoldEngine has no read for it yet, and a read needs no script.
 */
export function holdEngineInventory(holds: HoldEngine, redis: RedisClient): OrderInventory {
  return {
    commit: (saleId, holdId, orderRef) => holds.commit(saleId, holdId, orderRef),
    take: (saleId, request) => holds.take(saleId, request),
    release: (saleId, holdId) => holds.release(saleId, holdId),
    settleOrder: (saleId, request) => holds.settleOrder(saleId, request),
    recordedOrder: (saleId, orderRef) => redis.hget(saleInventoryKeys(saleId).orders, orderRef),
  };
}

import type { Logger } from "../../core/logger.ts";
import type { SaleService } from "../../core/sales/index.ts";
import type { Db } from "../../db/client.server.ts";
import { SqlKeyringSource } from "../../stores/keyrings.server.ts";
import type { AdminGraphql } from "../adminGraphql.server.ts";
import { publishStorefrontDrops, resolveDrops, storefrontDrops } from "../storefrontDrop.server.ts";
import { writeGate } from "./checkoutGate.server.ts";
import { gateConfig, gateConfigValue } from "./gateConfig.ts";

export interface PublishDeps {
  sales: SaleService;
  db: Db;
  masterKey: Buffer;
  /** The app's API key: tells our validation from another app's. */
  appKey: string;
  logger: Logger;
}

/** Drops per shop the storefront lists; SaleService.list's ceiling. */
const MAX_DROPS = 200;

/**
 * Brings the shop's storefront and checkout in line with its drops, all of them at once
 * (so a drop that ended or was deleted leaves both at once): the app-data metafield the
 * widget reads, and the checkout gate's validation and metafield. Call it whenever a drop
 * is saved, started, paused, resumed or ended, and after the store's keys rotate.
 */
export async function publishShopDrops(admin: AdminGraphql, deps: PublishDeps, storeId: string): Promise<void> {
  const sales = await deps.sales.list({ storeId, limit: MAX_DROPS });
  const resolved = await resolveDrops(admin, sales);
  await publishStorefrontDrops(admin, storefrontDrops(resolved));
  const keyring = await new SqlKeyringSource(deps.db, deps.masterKey).forStore(storeId);
  await writeGate(admin, deps.appKey, gateConfigValue(gateConfig(keyring, resolved)));
}

/**
 * A failure is logged and reported, never fatal to the merchant's action: the drop itself
 * is saved and runs; the readiness checklist shows whether the gate is active.
 */
export async function tryPublishShopDrops(admin: AdminGraphql, deps: PublishDeps, storeId: string | null): Promise<boolean> {
  if (!storeId) return false;
  try {
    await publishShopDrops(admin, deps, storeId);
    return true;
  } catch (error) {
    deps.logger.warn("could not publish the shop's drops to the storefront and the checkout gate", {
      storeId,
      error: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
}

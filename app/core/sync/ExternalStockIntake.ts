import { InvalidInputError } from "../errors/InvalidInputError.ts";
import type { HoldEngine } from "../inventory/index.ts";
import { silentLogger, type Logger } from "../logger.ts";
import type { RedisClient } from "../redis.ts";
import type { EchoGuard } from "./EchoGuard.ts";
import { writeBackKeys } from "../keys.ts";
import { parseWrittenValue, writtenValue } from "./writtenValue.ts";
import type { StockWriteBack } from "./StockWriteBack.ts";
import type { SyncCatalog } from "./SyncCatalog.ts";

/** A platform's report of one reference's stock (Shopify inventory_levels/update, a WooCommerce stock hook, a custom store's event). */
export interface PlatformStockReport {
  storeId: string;
  ref: string;
  available: number;
}

export type ExternalStockResult =
  /** Our own write coming back: nothing to do. */
  | { outcome: "echo" }
  /** No syncing sale has an item for this reference: not Holdfast's business. */
  | { outcome: "unknown_ref" }
  /** The platform gained units (a merchant restock): added to the sale item's allocation. */
  | { outcome: "restocked"; saleId: string; itemId: string; delta: number; available: number }
  /** Not applied to Holdfast; the next flush writes Holdfast's count back to the platform. */
  | { outcome: "overwritten"; saleId: string; itemId: string; reason: "decrease" | "no_baseline" | "not_in_sale" };

export interface ExternalStockIntakeOptions {
  redis: RedisClient;
  holds: HoldEngine;
  catalog: SyncCatalog;
  echo: EchoGuard;
  writeBack: StockWriteBack;
  logger?: Logger;
}

/**
 * What a stock report from a platform means for a sale (the webhook and connector routes call
 * `receive` for every report; it never calls the platform):
 *
 * 1. A value we wrote to that reference recently is our own write coming back (EchoGuard): ignored.
 * 2. Otherwise the platform's stock changed by someone else. Holdfast stays authoritative for a
 *    sale's stock, and the change is compared with what the platform held from us before:
 *    - more units than before: the merchant restocked on the platform. The difference is added
 *      to the sale item's allocation (HoldEngine.adjust, ledger type `adjust`), so the units
 *      become sellable in the sale and the platform and Holdfast agree again;
 *    - fewer units: most likely a platform order taking stock, which reaches Holdfast as an order
 *      event (commit or take) and must not be counted twice, or a merchant correction, which
 *      belongs in the sale's allocation (admin or CLI), not in the platform. Not applied: the
 *      next flush writes Holdfast's count back;
 *    - no write of ours to compare with: not applied either (there is no "before").
 *    In every case the reported value is recorded as what the platform holds now, so the next
 *    flush writes exactly the items whose platform count differs from Holdfast's.
 * When several syncing sales use the reference, the most recent sale's item is the one changed.
 */
export class ExternalStockIntake {
  private readonly logger: Logger;

  constructor(private readonly options: ExternalStockIntakeOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  async receive(report: PlatformStockReport): Promise<ExternalStockResult> {
    const { storeId, ref, available } = validate(report);
    const { redis, holds, catalog, echo, writeBack } = this.options;
    if (await echo.isEcho(storeId, ref, available)) return { outcome: "echo" };
    const [target] = await catalog.itemsForRef(storeId, ref);
    if (!target) return { outcome: "unknown_ref" };
    const { saleId, itemId } = target;
    const keys = writeBackKeys(saleId);
    const before = parseWrittenValue(await redis.hget(keys.written, itemId));
    await redis.hset(keys.written, itemId, writtenValue(available, ref));
    const baseline = before && before.ref === ref ? before.available : null;

    if (baseline !== null && available > baseline) {
      const delta = available - baseline;
      const adjusted = await holds.adjust(saleId, itemId, delta);
      if (adjusted.outcome === "adjusted") {
        this.logger.info("platform restock added to the sale", { saleId, itemId, storeId, ref, delta, available: adjusted.available });
        return { outcome: "restocked", saleId, itemId, delta, available: adjusted.available };
      }
      await writeBack.markDue(saleId);
      return { outcome: "overwritten", saleId, itemId, reason: "not_in_sale" };
    }
    await writeBack.markDue(saleId);
    return { outcome: "overwritten", saleId, itemId, reason: baseline === null ? "no_baseline" : "decrease" };
  }
}

function validate(report: PlatformStockReport): PlatformStockReport {
  if (typeof report.storeId !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(report.storeId)) {
    throw new InvalidInputError("invalid_store_id", "storeId must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'");
  }
  if (typeof report.ref !== "string" || report.ref.trim() === "" || report.ref.length > 500) {
    throw new InvalidInputError("invalid_ref", "ref must be a platform stock reference of 1-500 characters");
  }
  if (!Number.isSafeInteger(report.available)) throw new InvalidInputError("invalid_available", "available must be a whole number");
  return report;
}

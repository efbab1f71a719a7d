import { InvalidInputError } from "../errors/InvalidInputError.ts";
import type { HoldEngine } from "../inventory/index.ts";
import { silentLogger, type Logger } from "../logger.ts";
import type { RedisClient } from "../redis.ts";
import type { EchoGuard } from "./EchoGuard.ts";
import { writeBackKeys } from "../keys.ts";
import { writtenValue } from "./writtenValue.ts";
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
  /** The first report before any write of ours: it becomes the base later reports are compared with. */
  | { outcome: "baseline"; saleId: string; itemId: string }
  /**
   * Applied to the sale: `availableChange` units left available (negative) for a decrease no
   * order explains, or came back (positive) once one did; `restocked` units the platform has
   * beyond everything written joined the allocation (a merchant restock).
   */
  | { outcome: "applied"; saleId: string; itemId: string; availableChange: number; restocked: number; available: number }
  /** The sale no longer has the item. */
  | { outcome: "not_in_sale"; saleId: string; itemId: string };

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
 * 2. Otherwise the platform's stock changed. The report goes to the sale's platform book in
 *    one script (HoldEngine.platformReport, inventory/lua/platformReport.lua), which compares
 *    it with what the write-back last wrote minus the units of the platform orders Holdfast
 *    settled since:
 *    - a decrease no order explains (a POS sale we never heard of, another channel, a manual
 *      edit) leaves the sale's available units at once, so the sale never sells units the
 *      platform no longer has; when the order behind it arrives later, the units come back,
 *      so nothing is counted twice whichever of the two webhooks comes first;
 *    - more units than everything written: the merchant restocked; the difference joins the
 *      allocation (as before: increases stay the merchant's call, made on the platform).
 *    The reported value is recorded as what the platform holds now: the next flush writes
 *    from it (compare-and-set where the platform allows), never over a change it did not see.
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
    await redis.hset(writeBackKeys(saleId).written, itemId, writtenValue(available, ref));
    const applied = await holds.platformReport(saleId, itemId, available);
    await writeBack.markDue(saleId);
    if (applied.outcome === "not_found") return { outcome: "not_in_sale", saleId, itemId };
    if (applied.outcome === "baseline") return { outcome: "baseline", saleId, itemId };
    if (applied.availableChange !== 0 || applied.restocked !== 0) {
      this.logger.info("platform stock change applied to the sale", { saleId, itemId, storeId, ref, reported: available, ...applied });
    }
    return { outcome: "applied", saleId, itemId, availableChange: applied.availableChange, restocked: applied.restocked, available: applied.available };
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

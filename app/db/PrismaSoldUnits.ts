// The one SQL answer to "units sold per item of this sale" (reconciliation and recovery both
// ask it): every order row of the sale and the persisted ledger entries that sell, counted by
// the core's rule (core/orders/soldUnits.ts).
import type { Line } from "../core/inventory/index.ts";
import { countSoldUnits, type SoldUnits, type SoldUnitsSource } from "../core/orders/index.ts";
import type { Db } from "./client.server.ts";

const SELLING_LEDGER_TYPES = ["commit", "take", "oversell"];

export class PrismaSoldUnits implements SoldUnitsSource {
  constructor(private readonly db: Db) {}

  async soldUnits(saleId: string): Promise<SoldUnits> {
    const [orders, ledger] = await Promise.all([
      this.db.order.findMany({
        where: { saleId },
        select: { id: true, platformOrderRef: true, holdId: true, status: true, linesJson: true, oversoldLinesJson: true },
      }),
      this.db.ledgerEvent.findMany({
        where: { saleId, type: { in: SELLING_LEDGER_TYPES } },
        select: { type: true, holdId: true, orderRef: true, customerRef: true, linesJson: true },
        orderBy: { id: "asc" },
      }),
    ]);
    return countSoldUnits(
      orders.map((row) => ({
        id: row.id,
        platformOrderRef: row.platformOrderRef,
        holdId: row.holdId,
        status: row.status,
        lines: parseLines(row.linesJson),
        oversoldLines: parseLines(row.oversoldLinesJson),
      })),
      ledger.map((row) => ({ type: row.type, holdId: row.holdId, orderRef: row.orderRef, customerRef: row.customerRef, lines: parseLines(row.linesJson) })),
    );
  }
}

function parseLines(json: string): Line[] {
  const value = JSON.parse(json) as unknown;
  return Array.isArray(value) ? (value as Line[]) : [];
}

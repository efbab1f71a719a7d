// The live dashboard's counts from SQL (the persisted ledger and the orders of one sale).
import type { Db } from "./client.server.ts";

export class DropStats {
  constructor(private readonly db: Db) {}

  /** Holds of the sale that lapsed (persisted `expire` ledger entries). */
  async holdsExpired(saleId: string): Promise<number> {
    return this.db.ledgerEvent.count({ where: { saleId, type: "expire" } });
  }

  /** Orders that skipped the queue, by order status. */
  async bypassOrdersByStatus(saleId: string): Promise<Map<string, number>> {
    const rows = await this.db.order.groupBy({ by: ["status"], where: { saleId, bypass: true }, _count: { _all: true } });
    return new Map(rows.map((row) => [row.status, row._count._all]));
  }

  /** Units platforms sold beyond the sale's stock, and the orders they came with (recorded with each order). */
  async oversold(saleId: string): Promise<{ orders: number; units: number }> {
    const rows = await this.db.order.findMany({ where: { saleId, oversoldLinesJson: { not: "[]" } }, select: { oversoldLinesJson: true } });
    return { orders: rows.length, units: rows.reduce((total, row) => total + unitsOf(row.oversoldLinesJson), 0) };
  }
}

/** Units in an order's `*LinesJson` column; a damaged value counts as none rather than breaking the page. */
function unitsOf(linesJson: string): number {
  try {
    const lines = JSON.parse(linesJson) as { quantity?: unknown }[];
    return lines.reduce((total, line) => total + (typeof line.quantity === "number" ? line.quantity : 0), 0);
  } catch {
    return 0;
  }
}

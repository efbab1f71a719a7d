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
}

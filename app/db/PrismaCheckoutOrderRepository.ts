// The CheckoutOrderRepository port over Prisma: checkout orders live in the `Order` table with
// our order id as the row id (the schema is unchanged; statuses queued/processing/placed/failed).
import type { CheckoutOrderRepository, CheckoutOrderRow } from "../core/checkout/index.ts";
import type { Line } from "../core/inventory/index.ts";
import type { Db } from "./client.server.ts";

/** Statuses the order processor writes once a webhook moved the order on; a checkout never rolls them back. */
const CHECKOUT_STATUSES = new Set(["queued", "processing", "placed", "failed", "committed"]);

export class PrismaCheckoutOrderRepository implements CheckoutOrderRepository {
  constructor(private readonly db: Db) {}

  async save(row: CheckoutOrderRow): Promise<void> {
    const columns = {
      saleId: row.saleId,
      platformOrderRef: row.platformOrderRef,
      holdId: row.holdId,
      customerRef: row.customerRef,
      linesJson: JSON.stringify(row.lines),
      bypass: false,
    };
    await this.db.$transaction(async (tx) => {
      // The platform's webhook may have been processed first and written its own row for this
      // platform order (unique by sale + reference): ours takes its place, keeping a later status.
      const rival = await tx.order.findUnique({ where: { saleId_platformOrderRef: { saleId: row.saleId, platformOrderRef: row.platformOrderRef } } });
      let status: string = row.status;
      if (rival !== null && rival.id !== row.orderId) {
        if (!CHECKOUT_STATUSES.has(rival.status)) status = rival.status;
        await tx.order.delete({ where: { id: rival.id } });
      }
      const current = await tx.order.findUnique({ where: { id: row.orderId }, select: { status: true } });
      if (current !== null && !CHECKOUT_STATUSES.has(current.status)) status = current.status;
      await tx.order.upsert({ where: { id: row.orderId }, create: { id: row.orderId, status, ...columns }, update: { status, ...columns } });
    });
  }

  async find(orderId: string): Promise<(CheckoutOrderRow & { status: string }) | null> {
    const row = await this.db.order.findUnique({ where: { id: orderId } });
    if (row === null || row.holdId === null) return null;
    return {
      orderId: row.id,
      saleId: row.saleId,
      platformOrderRef: row.platformOrderRef,
      holdId: row.holdId,
      status: row.status as CheckoutOrderRow["status"],
      customerRef: row.customerRef,
      lines: JSON.parse(row.linesJson) as Line[],
    };
  }
}

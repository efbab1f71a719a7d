// The OrderRepository port over Prisma (SQLite or PostgreSQL: the `Db` type runs on both).
import type { Line } from "../core/inventory/index.ts";
import { BYPASS_POLICIES, type BypassPolicy, type OrderRecord, type OrderRepository, type OrderSale, type OrderStatus } from "../core/orders/index.ts";
import { isUniqueViolation, type Db } from "./client.server.ts";

export type OrderRow = NonNullable<Awaited<ReturnType<Db["order"]["findUnique"]>>>;

export class PrismaOrderRepository implements OrderRepository {
  constructor(private readonly db: Db) {}

  async findSale(saleId: string): Promise<OrderSale | null> {
    const row = await this.db.sale.findUnique({ where: { id: saleId }, select: { id: true, storeId: true, bypassPolicy: true } });
    if (row === null) return null;
    // The column is a plain string (SQLite has no enums); anything unexpected gets the schema's default.
    const bypassPolicy = BYPASS_POLICIES.includes(row.bypassPolicy as BypassPolicy) ? (row.bypassPolicy as BypassPolicy) : "flag";
    return { id: row.id, storeId: row.storeId, bypassPolicy };
  }

  async find(saleId: string, platformOrderRef: string): Promise<OrderRecord | null> {
    const row = await this.db.order.findUnique({ where: { saleId_platformOrderRef: { saleId, platformOrderRef } } });
    return row && toRecord(row);
  }

  async save(order: OrderRecord): Promise<void> {
    const where = { saleId_platformOrderRef: { saleId: order.saleId, platformOrderRef: order.platformOrderRef } };
    const columns = orderColumns(order);
    try {
      await this.db.order.upsert({ where, create: { saleId: order.saleId, platformOrderRef: order.platformOrderRef, ...columns }, update: columns });
    } catch (error) {
      // Two upserts racing on a missing row: the loser's insert hits the unique index. The row
      // exists now, so an update does what the upsert meant.
      if (!isUniqueViolation(error)) throw error;
      await this.db.order.update({ where, data: columns });
    }
  }
}

/** The columns save() writes besides the key (failureReason is recovery's, never touched here). */
export function orderColumns(order: OrderRecord) {
  return {
    status: order.status,
    holdId: order.holdId,
    customerRef: order.customerRef,
    linesJson: JSON.stringify(order.lines),
    bypass: order.bypass,
    bypassLinesJson: JSON.stringify(order.bypassLines ?? []),
    oversoldLinesJson: JSON.stringify(order.oversoldLines ?? []),
  };
}

export function toRecord(row: OrderRow): OrderRecord {
  const bypassLines = JSON.parse(row.bypassLinesJson) as Line[];
  const oversoldLines = JSON.parse(row.oversoldLinesJson) as Line[];
  return {
    saleId: row.saleId,
    platformOrderRef: row.platformOrderRef,
    // Only this module writes the column, always with an OrderStatus.
    status: row.status as OrderStatus,
    holdId: row.holdId,
    customerRef: row.customerRef,
    lines: JSON.parse(row.linesJson) as Line[],
    bypass: row.bypass,
    ...(bypassLines.length > 0 ? { bypassLines } : {}),
    ...(oversoldLines.length > 0 ? { oversoldLines } : {}),
  };
}

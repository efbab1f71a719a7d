// Recovery's durable side (core/recovery RecoveryStore) over Prisma: which sales should be in
// Redis, what the persisted ledger says was in flight, the headless orders left pending, and
// the SaleRecovery records the merchant is shown.
import type { Line } from "../core/inventory/index.ts";
import type { PendingCheckout, RecoveredItem, RecoveryRecord, RecoveryStore } from "../core/recovery/index.ts";
import type { Db } from "./client.server.ts";

const STATES_IN_REDIS = ["scheduled", "prequeue", "live", "paused"];
const PENDING = ["queued", "processing"];
/** Statuses the checkout itself writes; a row in any other status was moved on by the order processor, whose status wins (as in PrismaCheckoutOrderRepository). */
const CHECKOUT_STATUSES = new Set(["queued", "processing", "placed", "failed", "committed"]);

export class PrismaRecoveryStore implements RecoveryStore {
  constructor(private readonly db: Db) {}

  async salesToCheck(): Promise<string[]> {
    const rows = await this.db.sale.findMany({ where: { state: { in: STATES_IN_REDIS } }, select: { id: true }, orderBy: { id: "asc" } });
    return rows.map((row) => row.id);
  }

  async holdsInFlight(saleId: string): Promise<{ holds: number; units: number }> {
    const rows = await this.db.ledgerEvent.findMany({
      where: { saleId, holdId: { not: null }, type: { in: ["reserve", "release", "expire", "commit"] } },
      select: { type: true, holdId: true, linesJson: true },
    });
    const reserved = new Map<string, number>();
    const ended = new Set<string>();
    for (const row of rows) {
      const holdId = row.holdId as string;
      if (row.type === "reserve")
        reserved.set(
          holdId,
          (JSON.parse(row.linesJson) as Line[]).reduce((total, line) => total + line.quantity, 0),
        );
      else ended.add(holdId);
    }
    let holds = 0;
    let units = 0;
    for (const [holdId, held] of reserved) {
      if (ended.has(holdId)) continue;
      holds += 1;
      units += held;
    }
    return { holds, units };
  }

  async pendingCheckouts(saleId: string): Promise<PendingCheckout[]> {
    const orders = await this.db.order.findMany({
      where: { saleId, status: { in: PENDING } },
      select: { id: true, holdId: true, status: true },
      orderBy: { id: "asc" },
    });
    if (orders.length === 0) return [];
    const holdIds = orders.flatMap((order) => (order.holdId === null ? [] : [order.holdId]));
    const sales = await this.db.ledgerEvent.findMany({
      where: {
        saleId,
        OR: [
          { type: "commit", holdId: { in: holdIds } },
          { type: { in: ["commit", "take"] }, orderRef: { in: orders.map((order) => order.id) } },
        ],
      },
      select: { holdId: true, orderRef: true },
    });
    return orders.map((order) => {
      const sale = sales.find((entry) => (order.holdId !== null && entry.holdId === order.holdId) || entry.orderRef === order.id);
      return { orderId: order.id, holdId: order.holdId, status: order.status, soldAs: sale?.orderRef ?? null };
    });
  }

  async settleCheckout(orderId: string, outcome: { status: "placed"; platformOrderRef: string } | { status: "failed"; reason: string }): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const row = await tx.order.findUnique({ where: { id: orderId }, select: { saleId: true, status: true } });
      if (row === null || !PENDING.includes(row.status)) return false;
      if (outcome.status === "failed") {
        await tx.order.update({ where: { id: orderId }, data: { status: "failed", failureReason: outcome.reason } });
        return true;
      }
      // The platform's webhook may have written its own row for this platform order: ours takes its place.
      let status = "placed";
      const rival = await tx.order.findUnique({ where: { saleId_platformOrderRef: { saleId: row.saleId, platformOrderRef: outcome.platformOrderRef } } });
      if (rival !== null && rival.id !== orderId) {
        if (!CHECKOUT_STATUSES.has(rival.status)) status = rival.status;
        await tx.order.delete({ where: { id: rival.id } });
      }
      await tx.order.update({ where: { id: orderId }, data: { status, platformOrderRef: outcome.platformOrderRef } });
      return true;
    });
  }

  async record(recovery: RecoveryRecord): Promise<void> {
    await this.db.saleRecovery.create({
      data: {
        saleId: recovery.saleId,
        recoveredAt: new Date(recovery.recoveredAt),
        holdsLost: recovery.holdsLost,
        unitsHeldLost: recovery.unitsHeldLost,
        itemsJson: JSON.stringify(recovery.items),
        ordersPlaced: recovery.ordersPlaced,
        ordersRequeued: recovery.ordersRequeued,
        ordersFailed: recovery.ordersFailed,
      },
    });
  }

  async latest(saleId: string): Promise<RecoveryRecord | null> {
    const row = await this.db.saleRecovery.findFirst({ where: { saleId }, orderBy: { id: "desc" } });
    if (row === null) return null;
    return {
      saleId,
      recoveredAt: row.recoveredAt.getTime(),
      holdsLost: row.holdsLost,
      unitsHeldLost: row.unitsHeldLost,
      items: JSON.parse(row.itemsJson) as RecoveredItem[],
      ordersPlaced: row.ordersPlaced,
      ordersRequeued: row.ordersRequeued,
      ordersFailed: row.ordersFailed,
    };
  }
}

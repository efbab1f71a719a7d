// The orders page of one drop: its orders from SQL, filtered as the merchant asks, newest first.
import type { Db } from "./client.server.ts";

/** The orders page's filters: every order, those that sold, bypassed the queue, failed (or were cancelled before selling), or oversold. */
export const ORDER_FILTERS = ["all", "placed", "bypass", "failed", "oversold"] as const;
export type OrderFilter = (typeof ORDER_FILTERS)[number];

/** Statuses of an order whose units were sold (core/orders SOLD_STATUSES). */
const PLACED = ["committed", "taken", "flagged", "cancel_requested", "oversold_on_platform"];
/** Ended without selling anything. */
const FAILED = ["failed", "cancelled"];

export interface DropOrderRow {
  platformOrderRef: string;
  status: string;
  customerRef: string | null;
  bypass: boolean;
  lines: { itemId: string; quantity: number }[];
  oversoldLines: { itemId: string; quantity: number }[];
  createdAt: number;
}

function where(saleId: string, filter: OrderFilter) {
  switch (filter) {
    case "placed":
      return { saleId, status: { in: PLACED } };
    case "bypass":
      return { saleId, bypass: true };
    case "failed":
      return { saleId, status: { in: FAILED } };
    case "oversold":
      return { saleId, oversoldLinesJson: { not: "[]" } };
    default:
      return { saleId };
  }
}

export class DropOrders {
  constructor(private readonly db: Db) {}

  /** Newest first, at most `limit`. */
  async list(saleId: string, filter: OrderFilter, limit: number): Promise<DropOrderRow[]> {
    const rows = await this.db.order.findMany({
      where: where(saleId, filter),
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
      select: { platformOrderRef: true, status: true, customerRef: true, bypass: true, linesJson: true, oversoldLinesJson: true, createdAt: true },
    });
    return rows.map((row) => ({
      platformOrderRef: row.platformOrderRef,
      status: row.status,
      customerRef: row.customerRef,
      bypass: row.bypass,
      lines: linesOf(row.linesJson),
      oversoldLines: linesOf(row.oversoldLinesJson),
      createdAt: row.createdAt.getTime(),
    }));
  }

  /** How many orders each filter shows (the tabs' counts). */
  async counts(saleId: string): Promise<Record<OrderFilter, number>> {
    const entries = await Promise.all(ORDER_FILTERS.map(async (filter) => [filter, await this.db.order.count({ where: where(saleId, filter) })] as const));
    return Object.fromEntries(entries) as Record<OrderFilter, number>;
  }
}

/** An order's `*LinesJson` column; a damaged value reads as no lines rather than breaking the page. */
function linesOf(json: string): { itemId: string; quantity: number }[] {
  try {
    const parsed = JSON.parse(json) as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((line: { itemId?: unknown; quantity?: unknown }) =>
      typeof line?.itemId === "string" && typeof line.quantity === "number" ? [{ itemId: line.itemId, quantity: line.quantity }] : [],
    );
  } catch {
    return [];
  }
}

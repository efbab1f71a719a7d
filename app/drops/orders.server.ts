// The orders page of one drop and its CSV download, for both surfaces.
import type { OrderRowView } from "../components/OrdersPage.tsx";
import { InvalidInputError } from "../core/errors/InvalidInputError.ts";
import { DropOrders, ORDER_FILTERS, type DropOrderRow, type OrderFilter } from "../db/DropOrders.ts";
import { loadDrop } from "./access.server.ts";
import type { DropsDeps, DropsScope } from "./deps.server.ts";

/** The page shows the newest orders; the CSV has every one (up to a bound no drop reaches by accident). */
export const PAGE_ORDERS = 200;
const CSV_ORDERS = 100_000;

export interface OrdersPageData {
  saleId: string;
  name: string;
  filter: OrderFilter;
  counts: Record<OrderFilter, number>;
  orders: OrderRowView[];
  /** More orders match than the page shows (the CSV has them all). */
  truncated: boolean;
}

export function parseOrderFilter(value: string | null): OrderFilter {
  if (value === null || value === "") return "all";
  if ((ORDER_FILTERS as readonly string[]).includes(value)) return value as OrderFilter;
  throw new InvalidInputError("invalid_filter", `There is no order filter "${value.slice(0, 40)}"; use one of ${ORDER_FILTERS.join(", ")}.`);
}

function view(row: DropOrderRow, titles: Map<string, string>): OrderRowView {
  const units = (lines: DropOrderRow["lines"]) => lines.reduce((total, line) => total + line.quantity, 0);
  return {
    ref: row.platformOrderRef,
    status: row.status,
    customer: row.customerRef,
    bypass: row.bypass,
    products: row.lines.map((line) => `${titles.get(line.itemId) ?? line.itemId} × ${line.quantity}`).join(", "),
    units: units(row.lines),
    oversoldUnits: units(row.oversoldLines),
    placedAt: row.createdAt,
  };
}

async function ordersOf(deps: DropsDeps, scope: DropsScope, saleId: string, filter: OrderFilter, limit: number) {
  const details = await loadDrop(deps, scope, saleId);
  const titles = new Map(details.sale.items.map((item) => [item.id, item.title]));
  const orders = new DropOrders(deps.db);
  const [rows, counts] = await Promise.all([orders.list(saleId, filter, limit), orders.counts(saleId)]);
  return { details, counts, orders: rows.map((row) => view(row, titles)) };
}

export async function ordersPage(deps: DropsDeps, scope: DropsScope, saleId: string, filter: OrderFilter): Promise<OrdersPageData> {
  const { details, counts, orders } = await ordersOf(deps, scope, saleId, filter, PAGE_ORDERS);
  return { saleId, name: details.sale.name, filter, counts, orders, truncated: counts[filter] > orders.length };
}

/** RFC 4180 fields; a leading = + - @ is neutralised so a spreadsheet never runs a customer's text as a formula. */
function csvField(value: string | number | boolean | null): string {
  let text = value === null ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_HEADER = ["order", "status", "placed_at_utc", "customer", "bypassed_queue", "products", "units", "oversold_units"];

export async function ordersCsv(deps: DropsDeps, scope: DropsScope, saleId: string, filter: OrderFilter): Promise<{ filename: string; body: string }> {
  const { orders } = await ordersOf(deps, scope, saleId, filter, CSV_ORDERS);
  const rows = orders.map((order) => [
    order.ref,
    order.status,
    new Date(order.placedAt).toISOString(),
    order.customer,
    order.bypass ? "yes" : "no",
    order.products,
    order.units,
    order.oversoldUnits,
  ]);
  const body = [CSV_HEADER, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
  return { filename: `holdfast-${saleId}-orders-${filter}.csv`, body };
}

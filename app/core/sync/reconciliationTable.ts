import type { Reconciliation } from "./Reconciler.ts";
import { counted } from "../plural.ts";

const counters = (c: { allocated: number; available: number; held: number; sold: number }) => `${c.allocated}/${c.available}/${c.held}/${c.sold}`;

/** The reconciliation as a table for a terminal: one row per item, then each drift finding in words. */
export function describeReconciliation(report: Reconciliation): string {
  const header = ["item", "redis a/av/h/s", "ledger a/av/h/s", "orders sold", "platform", "drift"];
  const rows = report.items.map((item) => [
    item.itemId,
    counters(item.redis),
    counters(item.ledger),
    String(item.ordersSold),
    item.platform === null ? "-" : `${item.platform}${item.writeBackPending ? " (write pending)" : ""}`,
    item.drift.length === 0 ? "ok" : item.drift.map((drift) => drift.kind).join(","),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const table = [header, ...rows].map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join("  "));
  const lines = [
    `sale ${report.saleId} (store ${report.storeId ?? "none"}), checked ${report.checkedAt} at ledger ${report.ledgerId}${report.settled ? "" : " (the sale kept changing: re-run to confirm)"}`,
    ...table,
  ];
  if (report.ledgerUnpersisted > 0)
    lines.push(
      `${counted(report.ledgerUnpersisted, { one: "{n} ledger entry is", other: "{n} ledger entries are" })} not in SQL yet (counted from the Redis stream)`,
    );
  if (report.platformSkipped) lines.push(`platform not read: ${report.platformSkipped}`);
  for (const item of report.items) for (const drift of item.drift) lines.push(`${item.itemId}: ${drift.kind}: ${drift.message}`);
  lines.push(report.driftCount === 0 ? "no drift" : counted(report.driftCount, { one: "{n} drift finding", other: "{n} drift findings" }));
  if (report.repair) {
    const { flush } = report.repair;
    lines.push(
      report.repair.items.length === 0
        ? "repair: nothing to write to the platform"
        : `repair: wrote Holdfast's count for ${flush.written} item(s) in ${flush.calls} platform call(s)${flush.refused.length ? `; refused again: ${flush.refused.join(", ")}` : ""}`,
    );
  }
  return lines.join("\n");
}

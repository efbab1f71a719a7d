import { formatCount, formatMs, formatTable, round } from "../lib/table.ts";
import type { CallKind } from "./client.ts";
import { rankCorrelation } from "./fairness.ts";
import type { SurgeOptions } from "./options.ts";
import type { SurgeRun, TimelinePoint } from "./run.ts";
import type { ShopperOutcome } from "./shopper.ts";

export interface SurgeReport {
  saleId: string;
  createdSale: boolean;
  startedAt: string;
  options: Omit<SurgeOptions, "adminToken" | "progress">;
  durationSeconds: number;
  stoppedBy: SurgeRun["stoppedBy"];
  /** Seconds from the first arrival until every unit was sold; null when it did not sell out. */
  timeToSellOutSeconds: number | null;
  units: { allocated: number; sold: number; held: number; available: number; source: SurgeRun["finalStockSource"] };
  /** Units sold beyond the allocation (must be 0) and items whose counters do not add up. */
  oversold: number;
  inconsistentItems: string[];
  /** Units of the orders the simulated shoppers saw placed. */
  placedUnits: number;
  admission: { settingPerMinute: number | null; measuredPerMinute: number | null; ratio: number | null };
  calls: Partial<Record<CallKind, { count: number; p50Ms: number; p99Ms: number; maxMs: number; outcomes: Record<string, number> }>>;
  /** Every non-2xx answer and transport failure, by "<kind> <status> <code>". */
  errors: Record<string, number>;
  shoppers: Record<ShopperOutcome | "unfinished", number>;
  /** Spearman's rank correlation between join order and the order shoppers saw admission (1 = strictly fair); pre-queue tickets excepted. */
  fairness: { rankCorrelation: number | null; shoppersCompared: number };
  redis: SurgeRun["redis"];
  timeline: TimelinePoint[];
}

export function buildReport(run: SurgeRun, options: SurgeOptions): SurgeReport {
  const items = run.finalStock?.items ?? [];
  const sum = (field: "allocated" | "sold" | "held" | "available") => items.reduce((total, item) => total + item[field], 0);
  const calls: SurgeReport["calls"] = {};
  const errors: Record<string, number> = {};
  for (const [kind, stats] of run.client.calls) {
    const summary = stats.latency.summaryMs();
    calls[kind] = {
      count: summary.count,
      p50Ms: round(summary.p50Ms, 2),
      p99Ms: round(summary.p99Ms, 2),
      maxMs: round(summary.maxMs, 2),
      outcomes: Object.fromEntries(stats.outcomes),
    };
    for (const [outcome, count] of stats.outcomes) if (!/^2\d\d$/.test(outcome)) errors[`${kind} ${outcome}`] = count;
  }
  const shoppers = { bought: 0, released: 0, sold_out: 0, ended: 0, order_failed: 0, refused: 0, stopped: 0, unfinished: 0 };
  for (const record of run.shoppers) shoppers[record.outcome ?? "unfinished"] += 1;
  const pairs = run.shoppers.flatMap((record) =>
    record.position !== null && record.admittedAt !== null ? [[record.position, record.admittedAt] as const] : [],
  );
  const correlation = rankCorrelation(pairs);
  const measured = measuredAdmissionPerMinute(run.timeline, Math.floor(sum("allocated") / options.quantity));
  const { adminToken: _token, progress: _progress, ...shownOptions } = options;
  return {
    saleId: run.saleId,
    createdSale: run.createdSale,
    startedAt: run.startedAt,
    options: shownOptions,
    durationSeconds: round(run.durationMs / 1_000, 1),
    stoppedBy: run.stoppedBy,
    timeToSellOutSeconds: run.soldOutAtMs === null ? null : round(run.soldOutAtMs / 1_000, 1),
    units: { allocated: sum("allocated"), sold: sum("sold"), held: sum("held"), available: sum("available"), source: run.finalStockSource },
    oversold: items.reduce((total, item) => total + Math.max(0, item.sold - item.allocated), 0),
    inconsistentItems: items.filter((item) => item.available + item.held + item.sold !== item.allocated || item.available < 0).map((item) => item.itemId),
    placedUnits: run.shoppers.reduce((total, record) => total + record.boughtUnits, 0),
    admission: {
      settingPerMinute: run.perMinuteSetting,
      measuredPerMinute: measured === null ? null : round(measured, 1),
      ratio: measured === null || run.perMinuteSetting === null ? null : round(measured / run.perMinuteSetting, 2),
    },
    calls,
    errors,
    shoppers,
    fairness: { rankCorrelation: correlation === null ? null : round(correlation, 4), shoppersCompared: pairs.length },
    redis: run.redis,
    timeline: run.timeline,
  };
}

/**
 * Shoppers admitted per minute while people were waiting and admission was not yet capped by
 * stock (the room never admits more shoppers than there are holds left to take, so once
 * `capacity` shoppers are in, it waits for holds to end), from the admin API's serving counter
 * sampled every second. Null without the admin token or with under 2 such seconds.
 */
export function measuredAdmissionPerMinute(timeline: readonly TimelinePoint[], capacity: number): number | null {
  const busy = timeline.filter((point) => point.admitted !== null && (point.waiting ?? 0) > 0 && point.admitted < capacity);
  const first = busy[0];
  const last = busy.at(-1);
  if (first === undefined || last === undefined || last.second - first.second < 2) return null;
  return (((last.admitted as number) - (first.admitted as number)) / (last.second - first.second)) * 60;
}

export function describeReport(report: SurgeReport): string {
  const lines: string[] = [];
  lines.push(
    `surge: sale ${report.saleId}${report.createdSale ? " (created for this run, ended after it)" : ""}, ${formatCount(report.options.shoppers)} shoppers, ${describeCurve(report)}`,
  );
  lines.push(
    report.timeToSellOutSeconds === null
      ? `  did not sell out: ${report.units.sold} of ${report.units.allocated} units sold when the run stopped (${report.stoppedBy}) after ${report.durationSeconds} s`
      : `  sold out in ${report.timeToSellOutSeconds} s (${report.units.sold} of ${report.units.allocated} units); run ${report.durationSeconds} s`,
  );
  lines.push(
    `  oversold: ${report.oversold}${report.inconsistentItems.length ? `; counters that do not add up: ${report.inconsistentItems.join(", ")}` : ""}; ` +
      `placed orders seen by shoppers account for ${report.placedUnits} units (${report.units.source === "admin" ? "counters from Redis via the admin API" : "counters from the stock API"})`,
  );
  const admission = report.admission;
  lines.push(
    admission.measuredPerMinute === null
      ? `  admission: setting ${admission.settingPerMinute ?? "unknown"}/min; not measured (needs the admin token and a few seconds with people waiting)`
      : `  admission: ${admission.measuredPerMinute}/min measured against a setting of ${admission.settingPerMinute ?? "unknown"}/min${admission.ratio === null ? "" : ` (${admission.ratio}x)`}`,
  );
  lines.push(
    `  fairness: rank correlation of join order and admission ${report.fairness.rankCorrelation ?? "n/a"} over ${formatCount(report.fairness.shoppersCompared)} shoppers (1 = strictly in order; polling spreads it a little)`,
  );
  if (report.redis) {
    lines.push(
      `  redis: the sale's ${formatCount(report.redis.saleKeys)} keys use ${formatCount(report.redis.saleKeysBytes)} bytes; used_memory ${formatCount(report.redis.usedMemoryStartBytes)} -> ${formatCount(report.redis.usedMemoryEndBytes)} bytes`,
    );
  }
  lines.push(
    `  shoppers: ${Object.entries(report.shoppers)
      .filter(([, count]) => count > 0)
      .map(([outcome, count]) => `${outcome} ${formatCount(count)}`)
      .join(", ")}`,
  );
  lines.push("");
  const rows = Object.entries(report.calls).map(([kind, call]) => [
    kind,
    formatCount(call.count),
    formatMs(call.p50Ms),
    formatMs(call.p99Ms),
    formatMs(call.maxMs),
  ]);
  lines.push(formatTable(["call", "count", "p50 ms", "p99 ms", "max ms"], rows));
  const errors = Object.entries(report.errors).sort((a, b) => b[1] - a[1]);
  lines.push(
    "",
    errors.length === 0
      ? "errors: none"
      : formatTable(
          ["error", "count"],
          errors.map(([error, count]) => [error, formatCount(count)]),
        ),
  );
  if (Object.keys(report.errors).some((error) => error.includes("rate_limited") || error.includes("address_limit_exceeded"))) {
    lines.push(
      "note: per-address limits refused some shoppers; surge gives each shopper its own address in X-Forwarded-For, which Holdfast honours only from HOLDFAST_TRUSTED_PROXIES (set it to the address surge runs from)",
    );
  }
  return lines.join("\n");
}

function describeCurve(report: SurgeReport): string {
  const curve = report.options.curve;
  if (curve.kind === "spike") return `arriving within ${curve.seconds} s (spike)`;
  if (curve.kind === "ramp") return `arriving on a ${curve.seconds} s ramp`;
  return `arriving at ${curve.perSecond}/s (steady)`;
}

import { priceInputOf } from "../../core/money.ts";
import type { Sale, SaleDetails, SaleSchedule } from "../../core/sales/index.ts";

// The admin API's JSON for a sale (the CLI's --json prints the same). Times are ISO 8601 UTC.

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function scheduleJson(schedule: SaleSchedule) {
  return { prequeueAt: iso(schedule.prequeueAt), startsAt: iso(schedule.startsAt), endsAt: iso(schedule.endsAt) };
}

/** The configuration alone, as lists show it. */
export function saleSummaryJson(sale: Sale) {
  return {
    id: sale.id,
    name: sale.name,
    state: sale.state,
    storeId: sale.storeId,
    schedule: scheduleJson(sale.schedule),
    holdMinutes: sale.holdMinutes,
    perCustomerLimit: sale.perCustomerLimit,
    admission: sale.admission,
    bypassPolicy: sale.bypassPolicy,
    holdsThroughStoreOnly: sale.holdsThroughStoreOnly,
    items: sale.items.map((item) => ({
      id: item.id,
      title: item.title,
      allocation: item.allocation,
      platformRef: item.platformRef,
      price: item.price && priceInputOf(item.price),
    })),
    createdAt: iso(sale.createdAt),
    updatedAt: iso(sale.updatedAt),
  };
}

/**
 * Configuration plus live counters. Once a sale is set up, an item's allocation is Redis's
 * (authoritative during the sale); before that the counters are null.
 */
export function saleJson(details: SaleDetails) {
  const summary = saleSummaryJson(details.sale);
  return {
    ...summary,
    items: summary.items.map((item) => {
      const counters = details.counters[item.id];
      return {
        ...item,
        allocation: counters?.allocated ?? item.allocation,
        available: counters?.available ?? null,
        held: counters?.held ?? null,
        sold: counters?.sold ?? null,
      };
    }),
    activeHolds: details.activeHolds,
    room: details.room,
  };
}

export type SaleJson = ReturnType<typeof saleJson>;

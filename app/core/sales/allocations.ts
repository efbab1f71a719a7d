import type { HoldEngine, SaleSnapshot } from "../inventory/index.ts";
import { SaleConflictError } from "./errors.ts";

interface Adjustment {
  itemId: string;
  delta: number;
}

function belowCommitted(saleId: string, itemId: string, target: number, committed: number): SaleConflictError {
  return new SaleConflictError(
    "allocation_below_committed",
    `Item ${itemId} of sale ${saleId} cannot go down to ${target}: ${committed} unit(s) are already held or sold; the lowest allocation possible now is ${committed}.`,
  );
}

/**
 * Moves items of a sale whose stock lives in Redis to the allocations asked for, through
 * HoldEngine.adjust, so held and sold units are never taken back. All or nothing: every
 * reduction is checked against the snapshot first, reductions run before increases (only a
 * reduction can be refused), and if a shopper's hold races one, those already made are undone.
 * Items missing from the snapshot are left to defineSale, which creates them.
 */
export async function applyAllocations(holds: HoldEngine, saleId: string, snapshot: SaleSnapshot, targets: ReadonlyMap<string, number>): Promise<void> {
  const adjustments: Adjustment[] = [];
  for (const [itemId, target] of targets) {
    const counters = snapshot.items[itemId];
    if (!counters) continue;
    const committed = counters.held + counters.sold;
    if (target < committed) throw belowCommitted(saleId, itemId, target, committed);
    if (target !== counters.allocated) adjustments.push({ itemId, delta: target - counters.allocated });
  }
  adjustments.sort((a, b) => a.delta - b.delta);
  const done: Adjustment[] = [];
  for (const adjustment of adjustments) {
    const result = await holds.adjust(saleId, adjustment.itemId, adjustment.delta);
    if (result.outcome === "adjusted") done.push(adjustment);
    if (result.outcome !== "insufficient") continue;
    // Giving units back always succeeds, so the undo cannot be refused in turn.
    for (const undo of done.reverse()) await holds.adjust(saleId, undo.itemId, -undo.delta);
    const counters = (await holds.snapshot(saleId))?.items[adjustment.itemId];
    const committed = counters ? counters.held + counters.sold : 0;
    throw belowCommitted(saleId, adjustment.itemId, (counters?.allocated ?? 0) + adjustment.delta, committed);
  }
}

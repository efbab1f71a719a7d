import { FieldErrorCollector } from "../errors/InvalidInputError.ts";
import { priceInputOf } from "../money.ts";
import { SaleConflictError } from "./errors.ts";
import { newId } from "./ids.ts";
import type { SaleConfig, SaleItem, SalePatch, SaleState } from "./types.ts";
import {
  checkAdmission,
  checkBypassPolicy,
  checkFailPolicy,
  checkHoldsThroughStore,
  checkHoldMinutes,
  checkItem,
  checkItemCount,
  checkItemPrices,
  checkPerCustomerLimit,
  checkSchedule,
  checkText,
} from "./validation.ts";

/** What a patch does to a sale: the new configuration and the stock changes it implies. */
export interface PatchPlan {
  next: SaleConfig;
  /** Existing items whose allocation the merchant changed: item id -> requested allocation. */
  allocations: Map<string, number>;
  /** Existing items left out of the new item list. */
  removed: SaleItem[];
}

const FALLBACK_ITEM = { title: "", allocation: 0, platformRef: null, price: null };

/** Once shoppers may be queueing, the start and the item list's identity are fixed. */
const STARTED: readonly SaleState[] = ["prequeue", "live", "paused"];

/** Copies the defined fields of `patch` over `base`: absent means "unchanged", null clears. */
function overlay<T extends object>(base: T, patch: Partial<T> | undefined): T {
  const merged = { ...base };
  if (patch === undefined) return merged;
  for (const key of Object.keys(patch) as (keyof T)[]) {
    if (patch[key] !== undefined) merged[key] = patch[key] as T[keyof T];
  }
  return merged;
}

/**
 * Validates a patch against the sale as it is now (`sale.state` is the room's current state)
 * and works out the result. Throws before anything is changed.
 */
export function planPatch(sale: SaleConfig, patch: SalePatch, now: number): PatchPlan {
  if (sale.state === "ended") throw new SaleConflictError("sale_ended", `Sale ${sale.id} has ended; an ended sale cannot be changed.`);
  const started = STARTED.includes(sale.state);
  const locked = (field: string) =>
    new SaleConflictError(
      "sale_started",
      `${field} cannot change once the sale is under way (it is ${sale.state}); only name, schedule.endsAt, holdMinutes, perCustomerLimit, admission, bypassPolicy, allocations and new items can.`,
    );

  const schedule = overlay(sale.schedule, patch.schedule);
  if (started && schedule.prequeueAt !== sale.schedule.prequeueAt) throw locked("schedule.prequeueAt");
  if (started && schedule.startsAt !== sale.schedule.startsAt) throw locked("schedule.startsAt");

  // Every refused field at once; conflicts with the sale's state (409) still stop at the first.
  const errors = new FieldErrorCollector();
  const next: SaleConfig = {
    ...sale,
    name: patch.name === undefined ? sale.name : errors.check(sale.name, () => checkText("invalid_name", "name", patch.name)),
    schedule: errors.check(sale.schedule, () => checkSchedule(schedule, now, schedule.endsAt !== sale.schedule.endsAt)),
    holdMinutes: patch.holdMinutes === undefined ? sale.holdMinutes : errors.check(sale.holdMinutes, () => checkHoldMinutes(patch.holdMinutes)),
    perCustomerLimit:
      patch.perCustomerLimit === undefined ? sale.perCustomerLimit : errors.check(sale.perCustomerLimit, () => checkPerCustomerLimit(patch.perCustomerLimit)),
    admission: errors.check(sale.admission, () => checkAdmission(overlay(sale.admission, patch.admission))),
    bypassPolicy: patch.bypassPolicy === undefined ? sale.bypassPolicy : errors.check(sale.bypassPolicy, () => checkBypassPolicy(patch.bypassPolicy)),
    failPolicy: patch.failPolicy === undefined ? sale.failPolicy : errors.check(sale.failPolicy, () => checkFailPolicy(patch.failPolicy)),
  };
  // Checked against the sale as it will be (a limit set to 0 in the same patch refuses it).
  next.holdsThroughStoreOnly = errors.check(sale.holdsThroughStoreOnly, () =>
    checkHoldsThroughStore(patch.holdsThroughStoreOnly ?? sale.holdsThroughStoreOnly, next),
  );
  if (patch.items === undefined) {
    errors.done();
    return { next, allocations: new Map(), removed: [] };
  }

  const items = patch.items;
  errors.check(undefined, () => checkItemCount(items.length));
  const current = new Map(sale.items.map((item) => [item.id, item]));
  const kept = new Set<string>();
  const allocations = new Map<string, number>();
  next.items = items.map((entry, index) => {
    if (entry.id === undefined) return { id: newId(), ...errors.check(FALLBACK_ITEM, () => checkItem(index, entry)) };
    const existing = current.get(entry.id);
    const id = entry.id;
    if (!existing) {
      errors.add(
        "unknown_item",
        `items[${index}].id`,
        `items[${index}].id ${JSON.stringify(id)} is not an item of this sale; leave the id out to add an item.`,
      );
      return { id, ...FALLBACK_ITEM };
    }
    if (kept.has(id)) errors.add("duplicate_item", `items[${index}].id`, `items[${index}].id ${id} is listed twice.`);
    kept.add(id);
    // An absent price keeps the stored one, which is checked again in the API's own form.
    const { price: newPrice, ...fields } = entry;
    const price = newPrice === undefined ? existing.price && priceInputOf(existing.price) : newPrice;
    const item = { id: existing.id, ...errors.check(existing, () => checkItem(index, { ...overlay(existing, fields), price })) };
    if (started && item.platformRef !== existing.platformRef) throw locked(`items[${index}].platformRef`);
    if (item.allocation !== existing.allocation) allocations.set(item.id, item.allocation);
    return item;
  });
  checkItemPrices(errors, next.items);
  errors.done();
  const removed = sale.items.filter((item) => !kept.has(item.id));
  if (started && removed.length > 0) {
    throw new SaleConflictError(
      "item_removal_not_allowed",
      `Items cannot be removed once the sale is under way (it is ${sale.state}): item ${removed[0]?.id} is missing from items; set its allocation to what is held and sold instead.`,
    );
  }
  return { next, allocations, removed };
}

import { FieldErrorCollector, fieldError } from "../errors/InvalidInputError.ts";
import { newId } from "./ids.ts";
import type { AdmissionSettings, NewSaleInput, SaleConfig } from "./types.ts";
import {
  checkAdmission,
  checkBypassPolicy,
  checkFailPolicy,
  checkHoldMinutes,
  checkItem,
  checkItemCount,
  checkItemPrices,
  checkPerCustomerLimit,
  checkSchedule,
  checkHoldsThroughStore,
  checkText,
} from "./validation.ts";

// Stand-ins for refused values; never stored, since the collector throws before the config is used.
const FALLBACK_ADMISSION: AdmissionSettings = { mode: "off", perMinute: null, maxActive: null, passMinutes: 10 };
const FALLBACK_ITEM = { title: "", allocation: 0, platformRef: null, price: null };

/**
 * Validates a new sale and gives it and its items fresh ids; it starts as a draft. Every
 * refused field is reported at once (InvalidInputError.fields).
 */
export function newSaleConfig(input: NewSaleInput, now: number): SaleConfig {
  const errors = new FieldErrorCollector();
  const items = Array.isArray(input.items) ? input.items : [];
  errors.check(undefined, () => {
    if (!Array.isArray(input.items)) throw fieldError("invalid_items", "items", "items must be a list.");
    checkItemCount(items.length);
  });
  const storeId = input.storeId ?? null;
  const config: SaleConfig = {
    id: newId(),
    storeId: storeId === null ? null : errors.check(storeId, () => checkText("invalid_store", "storeId", storeId)),
    name: errors.check("", () => checkText("invalid_name", "name", input.name)),
    state: "draft",
    schedule: errors.check({ prequeueAt: null, startsAt: null, endsAt: null }, () => checkSchedule(input.schedule ?? {}, now, true)),
    holdMinutes: errors.check(0, () => checkHoldMinutes(input.holdMinutes)),
    perCustomerLimit: errors.check(0, () => checkPerCustomerLimit(input.perCustomerLimit)),
    admission: errors.check(FALLBACK_ADMISSION, () => checkAdmission(input.admission ?? {})),
    bypassPolicy: errors.check("flag", () => checkBypassPolicy(input.bypassPolicy ?? "flag")),
    failPolicy: errors.check("auto", () => checkFailPolicy(input.failPolicy ?? "auto")),
    holdsThroughStoreOnly: false,
    items: items.map((item, index) => ({ id: newId(), ...errors.check(FALLBACK_ITEM, () => checkItem(index, item)) })),
  };
  checkItemPrices(errors, config.items);
  // Checked against the sale as it will be (its store and per-customer limit).
  config.holdsThroughStoreOnly = errors.check(false, () => checkHoldsThroughStore(input.holdsThroughStoreOnly ?? false, config));
  errors.done();
  return config;
}

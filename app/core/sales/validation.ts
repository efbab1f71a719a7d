import { FieldErrorCollector, fieldError } from "../errors/InvalidInputError.ts";
import { isCurrency, parseAmount, type Money } from "../money.ts";
import { LIMITS } from "../inventory/validation.ts";
import { BYPASS_POLICIES } from "../orders/OrderRepository.ts";
import type { AdmissionMode, AdmissionSettings, BypassPolicy, FailPolicySetting, SaleConfig, SaleItem, SaleSchedule } from "./types.ts";

export const FAIL_POLICIES: readonly FailPolicySetting[] = ["auto", "open", "closed"];

/** Bounds of a sale's settings; each message names the field, so a form can point at it. */
export const SALE_LIMITS = {
  maxItems: 100,
  maxTextLength: 200,
  maxAllocation: LIMITS.maxAllocation,
  holdMinutes: { min: 1, max: 120 },
  passMinutes: { min: 1, max: 60, default: 10 },
  perCustomerLimit: { min: 0, max: 1_000 },
  perMinute: { min: 1, max: 1_000_000 },
  maxActive: { min: 1, max: 10_000_000 },
} as const;

const MODES: readonly AdmissionMode[] = ["off", "rate", "capacity", "rate+capacity"];
// Timestamps past this are typos (year 2286), not sale dates.
const MAX_TIMESTAMP = 10_000_000_000_000;

export function checkInteger(code: string, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw fieldError(code, field, `${field} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

/**
 * Names, titles and references: trimmed, 1-200 characters, no control characters, and
 * well-formed Unicode. A lone surrogate (JSON allows "\ud800") has no UTF-8 form, so SQL
 * could not store it: it is refused here as bad input instead of failing in the database.
 */
export function checkText(code: string, field: string, value: unknown): string {
  const text = typeof value === "string" ? value.trim() : "";
  if (text.length === 0 || text.length > SALE_LIMITS.maxTextLength || /\p{Cc}/u.test(text)) {
    throw fieldError(code, field, `${field} must be 1-${SALE_LIMITS.maxTextLength} characters, without control characters.`);
  }
  if (/\p{Cs}/u.test(text)) {
    throw fieldError(code, field, `${field} contains an unpaired surrogate (broken Unicode text); type it again or paste it from another source.`);
  }
  return text;
}

function checkTime(field: string, value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return checkInteger("invalid_schedule", field, value, 0, MAX_TIMESTAMP);
}

/**
 * prequeueAt <= startsAt < endsAt, and no pre-queue without a start (the pre-queue is
 * shuffled at the start). `endChanged`: a new end must lie in the future.
 */
export function checkSchedule(schedule: Partial<SaleSchedule>, now: number, endChanged: boolean): SaleSchedule {
  const prequeueAt = checkTime("schedule.prequeueAt", schedule.prequeueAt);
  const startsAt = checkTime("schedule.startsAt", schedule.startsAt);
  const endsAt = checkTime("schedule.endsAt", schedule.endsAt);
  const refuse = (path: string, message: string) => fieldError("invalid_schedule", path, message);
  if (prequeueAt !== null && startsAt === null)
    throw refuse("schedule.prequeueAt", "schedule.prequeueAt needs schedule.startsAt: the pre-queue is shuffled at the start.");
  if (prequeueAt !== null && startsAt !== null && prequeueAt > startsAt)
    throw refuse("schedule.prequeueAt", "schedule.prequeueAt must not be after schedule.startsAt.");
  if (endsAt !== null && startsAt !== null && endsAt <= startsAt) throw refuse("schedule.endsAt", "schedule.endsAt must be after schedule.startsAt.");
  if (endChanged && endsAt !== null && endsAt <= now) throw refuse("schedule.endsAt", "schedule.endsAt must be in the future.");
  return { prequeueAt, startsAt, endsAt };
}

export function checkAdmission(admission: Partial<AdmissionSettings>): AdmissionSettings {
  const mode = admission.mode;
  if (!MODES.includes(mode as AdmissionMode)) {
    throw fieldError("invalid_admission", "admission.mode", `admission.mode must be one of ${MODES.join(", ")}.`);
  }
  const optional = (field: "perMinute" | "maxActive", needed: boolean): number | null => {
    const value = admission[field];
    if (value === null || value === undefined) {
      if (needed) throw fieldError("invalid_admission", `admission.${field}`, `admission.${field} is required when admission.mode is ${mode}.`);
      return null;
    }
    const { min, max } = SALE_LIMITS[field];
    return checkInteger("invalid_admission", `admission.${field}`, value, min, max);
  };
  const passMinutes = admission.passMinutes ?? SALE_LIMITS.passMinutes.default;
  return {
    mode: mode as AdmissionMode,
    perMinute: optional("perMinute", mode === "rate" || mode === "rate+capacity"),
    maxActive: optional("maxActive", mode === "capacity" || mode === "rate+capacity"),
    passMinutes: checkInteger("invalid_admission", "admission.passMinutes", passMinutes, SALE_LIMITS.passMinutes.min, SALE_LIMITS.passMinutes.max),
  };
}

export function checkHoldMinutes(value: unknown): number {
  return checkInteger("invalid_hold_minutes", "holdMinutes", value, SALE_LIMITS.holdMinutes.min, SALE_LIMITS.holdMinutes.max);
}

export function checkPerCustomerLimit(value: unknown): number {
  return checkInteger("invalid_limit", "perCustomerLimit", value, SALE_LIMITS.perCustomerLimit.min, SALE_LIMITS.perCustomerLimit.max);
}

export function checkBypassPolicy(value: unknown): BypassPolicy {
  if (typeof value === "string" && (BYPASS_POLICIES as readonly string[]).includes(value)) return value as BypassPolicy;
  throw fieldError("invalid_bypass_policy", "bypassPolicy", `bypassPolicy must be one of ${BYPASS_POLICIES.join(", ")}.`);
}

export function checkFailPolicy(value: unknown): FailPolicySetting {
  if (typeof value === "string" && (FAIL_POLICIES as readonly string[]).includes(value)) return value as FailPolicySetting;
  throw fieldError("invalid_fail_policy", "failPolicy", `failPolicy must be one of ${FAIL_POLICIES.join(", ")}.`);
}

/**
 * Holds only through the store's app proxy: it protects a per-customer limit counted by the
 * customer Shopify verifies, so it needs a store and a limit (a drop without either could then
 * take no hold at all).
 */
export function checkHoldsThroughStore(value: unknown, sale: Pick<SaleConfig, "storeId" | "perCustomerLimit">): boolean {
  if (typeof value !== "boolean") throw fieldError("invalid_holds_through_store", "holdsThroughStoreOnly", "holdsThroughStoreOnly must be true or false.");
  if (!value) return false;
  if (sale.storeId === null) {
    throw fieldError(
      "invalid_holds_through_store",
      "holdsThroughStoreOnly",
      "holdsThroughStoreOnly needs a Shopify store: a drop without a store has no app proxy to take holds.",
    );
  }
  if (sale.perCustomerLimit === 0) {
    throw fieldError(
      "invalid_holds_through_store",
      "holdsThroughStoreOnly",
      "holdsThroughStoreOnly protects a per-customer limit: set perCustomerLimit above 0, or turn it off.",
    );
  }
  return true;
}

export function checkItemCount(count: number): void {
  if (count < 1 || count > SALE_LIMITS.maxItems) {
    throw fieldError("invalid_items", "items", `items must list 1-${SALE_LIMITS.maxItems} items.`);
  }
}

/** An item's price: null, or `{amount: "19.99", currency: "EUR"}` (a decimal string, at most the currency's decimals). */
export function checkPrice(field: string, price: unknown): Money | null {
  if (price === null || price === undefined) return null;
  const { amount, currency } = typeof price === "object" ? (price as { amount?: unknown; currency?: unknown }) : {};
  const errors = new FieldErrorCollector();
  const code = errors.check(null, () => {
    if (typeof currency === "string" && /^[A-Z]{3}$/.test(currency) && isCurrency(currency)) return currency;
    throw fieldError("invalid_currency", `${field}.currency`, `${field}.currency must be an ISO 4217 currency code such as EUR or USD.`);
  });
  const amountMinor = errors.check(null, () => {
    const minor = typeof amount === "string" && code !== null ? parseAmount(amount, code) : null;
    // Without a known currency its decimals are unknown: only what is no decimal at all is refused then.
    if (minor !== null || (code === null && typeof amount === "string" && /^\d{1,12}(?:\.\d+)?$/.test(amount))) return minor;
    throw fieldError(
      "invalid_price",
      `${field}.amount`,
      `${field}.amount must be a non-negative decimal string with at most the currency's decimals, such as "19.99" (got ${JSON.stringify(amount)}).`,
    );
  });
  errors.done();
  return amountMinor === null || code === null ? null : { amountMinor, currency: code };
}

/**
 * One checkout charges one amount: a sale's items are priced in one currency, and either all
 * of them or none (then the operator's fallback price applies to all).
 */
export function checkItemPrices(errors: FieldErrorCollector, items: readonly Pick<SaleItem, "price">[]): void {
  const first = items.find((item) => item.price !== null)?.price;
  if (!first) return;
  // An item whose price was refused already has its problem listed; it is not "missing" too.
  const refused = (index: number) => errors.problems.some((problem) => problem.path.startsWith(`items[${index}].price`));
  items.forEach((item, index) => {
    if (refused(index)) return;
    if (item.price === null) {
      errors.add("invalid_price", `items[${index}].price`, `items[${index}].price is missing: price every item of a sale, or none.`);
    } else if (item.price.currency !== first.currency) {
      errors.add("invalid_currency", `items[${index}].price.currency`, `items[${index}].price.currency must be ${first.currency}, as the sale's other items.`);
    }
  });
}

/** One item's own fields; `index` names it in messages. */
export function checkItem(index: number, item: { title?: unknown; allocation?: unknown; platformRef?: unknown; price?: unknown }): Omit<SaleItem, "id"> {
  const field = `items[${index}]`;
  const errors = new FieldErrorCollector();
  const checked = {
    title: errors.check("", () => checkText("invalid_item", `${field}.title`, item.title)),
    allocation: errors.check(0, () => checkInteger("invalid_allocation", `${field}.allocation`, item.allocation, 0, SALE_LIMITS.maxAllocation)),
    platformRef: errors.check(null, () =>
      item.platformRef === null || item.platformRef === undefined ? null : checkText("invalid_item", `${field}.platformRef`, item.platformRef),
    ),
    price: errors.check(null, () => checkPrice(`${field}.price`, item.price)),
  };
  errors.done();
  return checked;
}

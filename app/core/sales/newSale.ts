import { InvalidInputError } from "../errors/InvalidInputError.ts";
import { newId } from "./ids.ts";
import type { NewSaleInput, SaleConfig } from "./types.ts";
import {
  checkAdmission,
  checkBypassPolicy,
  checkFailPolicy,
  checkHoldMinutes,
  checkItem,
  checkItemCount,
  checkPerCustomerLimit,
  checkSchedule,
  checkHoldsThroughStore,
  checkText,
} from "./validation.ts";

/** Validates a new sale and gives it and its items fresh ids; it starts as a draft. */
export function newSaleConfig(input: NewSaleInput, now: number): SaleConfig {
  if (!Array.isArray(input.items)) throw new InvalidInputError("invalid_items", "items must be a list.");
  checkItemCount(input.items.length);
  const storeId = input.storeId ?? null;
  if (storeId !== null) checkText("invalid_store", "storeId", storeId);
  const config: SaleConfig = {
    id: newId(),
    storeId,
    name: checkText("invalid_name", "name", input.name),
    state: "draft",
    schedule: checkSchedule(input.schedule ?? {}, now, true),
    holdMinutes: checkHoldMinutes(input.holdMinutes),
    perCustomerLimit: checkPerCustomerLimit(input.perCustomerLimit),
    admission: checkAdmission(input.admission ?? {}),
    bypassPolicy: checkBypassPolicy(input.bypassPolicy ?? "flag"),
    failPolicy: checkFailPolicy(input.failPolicy ?? "auto"),
    holdsThroughStoreOnly: false,
    items: input.items.map((item, index) => ({ id: newId(), ...checkItem(index, item) })),
  };
  config.holdsThroughStoreOnly = checkHoldsThroughStore(input.holdsThroughStoreOnly ?? false, config);
  return config;
}

import type { SaleState } from "../../core/sales/index.ts";
import type { FailPolicy } from "../../../extensions/checkout-gate/src/config.ts";

export type { FailPolicy };

/** A drop the storefront must know about: scheduled (the widget queues early comers) or running. */
export const STOREFRONT_STATES: ReadonlySet<SaleState> = new Set<SaleState>(["scheduled", "prequeue", "live", "paused"]);

/** A drop whose holds are being placed: the checkout gate refuses its variants without one. */
export const RUNNING_STATES: ReadonlySet<SaleState> = new Set<SaleState>(["live", "paused"]);

/**
 * What the widget and the gate do when Holdfast cannot be reached or cannot be checked:
 * while a drop runs, a shopper who skips the line takes stock someone waited for, so the
 * default is to refuse (closed); before it runs nothing is held yet, so the store stays
 * open. A merchant's explicit choice wins.
 */
export function failPolicyOf(state: SaleState, chosen?: FailPolicy | null): FailPolicy {
  if (chosen) return chosen;
  return RUNNING_STATES.has(state) ? "closed" : "open";
}

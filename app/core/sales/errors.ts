import type { SaleAction, SaleState } from "./types.ts";

export class SaleNotFoundError extends Error {
  override readonly name = "SaleNotFoundError";
  readonly code = "sale_not_found";

  constructor(readonly saleId: string) {
    super(`There is no sale ${JSON.stringify(saleId)}.`);
  }
}

export type SaleConflictCode =
  "invalid_transition" | "sale_ended" | "sale_started" | "allocation_below_committed" | "item_removal_not_allowed" | "sale_state_missing";

/**
 * A valid request the sale's current state refuses (HTTP 409). Nothing was changed.
 * `code` is stable; the message names the state or the numbers that stood in the way.
 */
export class SaleConflictError extends Error {
  override readonly name: string = "SaleConflictError";

  constructor(
    readonly code: SaleConflictCode,
    message: string,
  ) {
    super(message);
  }
}

const NEXT_STEP: Record<SaleAction, string> = {
  start: "start works on a draft, scheduled or pre-queue sale; a paused sale is resumed",
  pause: "only a live sale can be paused",
  resume: "only a paused sale can be resumed",
  end: "an ended sale stays ended",
};

export class InvalidTransitionError extends SaleConflictError {
  override readonly name = "InvalidTransitionError";

  constructor(
    readonly action: SaleAction,
    readonly state: SaleState,
  ) {
    super("invalid_transition", `Cannot ${action} a sale that is ${state}: ${NEXT_STEP[action]}.`);
  }
}

/** The sale is set up, yet Redis has no stock or room for it: Redis was flushed or replaced. */
export function saleStateMissing(saleId: string): SaleConflictError {
  return new SaleConflictError(
    "sale_state_missing",
    `Sale ${saleId} is set up, but its stock or room is missing from Redis (was Redis flushed or replaced?); restore Redis, or end the sale.`,
  );
}

import { InvalidInputError } from "../errors/InvalidInputError.ts";
import type { Line } from "../inventory/index.ts";
import { assertRef, LIMITS, normaliseLines } from "../inventory/validation.ts";
import { assertId } from "../keys.ts";
import { MAX_TOKEN_LENGTH } from "../tokens/index.ts";
import { PermanentOrderError } from "./errors.ts";

export type OrderEventKind = "created" | "cancelled" | "failed";

/**
 * One thing that happened to a platform order, as the webhooks and the WooCommerce connector
 * report it (the platform adapters map their payloads to this). Identified twice: by the
 * platform's event id (a redelivery of the same event) and by the order reference (another
 * event about the same order).
 */
export interface OrderEvent {
  /** The platform's id of this delivery's event (Shopify X-Shopify-Event-Id, WC webhook delivery id, ...). */
  eventId: string;
  /** The store the event came from; must match the sale's store when both are known. */
  storeId: string | null;
  saleId: string;
  platformOrderRef: string;
  kind: OrderEventKind;
  /** The order's lines in sale item ids; may be empty for cancelled/failed events. */
  lines: Line[];
  /**
   * The hold the order names (a line property, a cart attribute, our checkout's order id).
   * Unverified: only a hold token proves a hold; this id links the order to our headless
   * checkout and is kept with the order for the merchant.
   */
  holdId?: string;
  /** The hold tokens the order's drop lines carry (distinct); each is verified before its hold counts. */
  holdTokens?: string[];
  /** Made by the merchant's staff (POS, a draft order, the WooCommerce admin): never cancelled by the bypass policy. */
  createdByStaff?: boolean;
  customerRef?: string;
  /** Milliseconds since the epoch. */
  occurredAt: number;
}

const KINDS: readonly OrderEventKind[] = ["created", "cancelled", "failed"];

/**
 * Checks an event from the outside world (or from a queued job) and returns it normalised
 * (repeated items merged, `occurredAt` as a number). Throws PermanentOrderError with code
 * `invalid_event` and a message naming the field: a malformed event never gets better.
 */
export function parseOrderEvent(input: unknown): OrderEvent {
  try {
    return parse(input);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new PermanentOrderError("invalid_event", `invalid order event: ${error.message}`);
    throw error;
  }
}

function parse(input: unknown): OrderEvent {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new InvalidInputError("invalid_event", "an order event must be an object");
  }
  const raw = input as Record<string, unknown>;
  assertRef("invalid_event_id", "eventId", raw.eventId);
  assertId("sale", raw.saleId);
  assertRef("invalid_order_ref", "platformOrderRef", raw.platformOrderRef);
  const storeId = raw.storeId ?? null;
  if (storeId !== null) assertRef("invalid_store_id", "storeId", storeId);
  const kind = raw.kind;
  if (typeof kind !== "string" || !KINDS.includes(kind as OrderEventKind)) {
    throw new InvalidInputError("invalid_kind", `kind must be one of ${KINDS.join(", ")}`);
  }
  // A cancellation may come without lines; an order being created always has some.
  const noLines = raw.lines === undefined || (Array.isArray(raw.lines) && raw.lines.length === 0);
  const lines = kind === "created" || !noLines ? normaliseLines(raw.lines) : [];
  const event: OrderEvent = {
    eventId: raw.eventId,
    storeId,
    saleId: raw.saleId,
    platformOrderRef: raw.platformOrderRef,
    kind: kind as OrderEventKind,
    lines,
    occurredAt: parseTime(raw.occurredAt),
  };
  if (raw.holdId !== undefined && raw.holdId !== null) {
    assertRef("invalid_hold_id", "holdId", raw.holdId);
    event.holdId = raw.holdId;
  }
  if (raw.holdTokens !== undefined && raw.holdTokens !== null) event.holdTokens = parseTokens(raw.holdTokens);
  if (raw.createdByStaff !== undefined && raw.createdByStaff !== null) {
    if (typeof raw.createdByStaff !== "boolean") throw new InvalidInputError("invalid_created_by_staff", "createdByStaff must be true or false");
    event.createdByStaff = raw.createdByStaff;
  }
  if (raw.customerRef !== undefined && raw.customerRef !== null) {
    assertRef("invalid_customer", "customerRef", raw.customerRef);
    event.customerRef = raw.customerRef;
  }
  return event;
}

/** Tokens are checked for what they are later; here only their size is bounded. */
function parseTokens(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > LIMITS.maxLines) {
    throw new InvalidInputError("invalid_hold_tokens", `holdTokens must be a list of at most ${LIMITS.maxLines} tokens`);
  }
  for (const token of value) {
    if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new InvalidInputError("invalid_hold_tokens", `each hold token must be a string of 1-${MAX_TOKEN_LENGTH} characters`);
    }
  }
  return [...new Set(value as string[])];
}

function parseTime(value: unknown): number {
  const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new InvalidInputError("invalid_occurred_at", "occurredAt must be epoch milliseconds or an ISO 8601 time");
  }
  return ms;
}

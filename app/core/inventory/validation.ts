import { InvalidInputError } from "../errors/InvalidInputError.ts";
import { assertId } from "../keys.ts";
import type { Line } from "./types.ts";

/** Bounds that keep one request from doing unbounded work or overflowing a counter. */
export const LIMITS = {
  maxLineQuantity: 10_000,
  maxLines: 100,
  maxAllocation: 100_000_000,
  maxItemsPerSale: 1_000,
  maxCustomerLimit: 1_000_000,
  minTtlMs: 1_000,
  maxTtlMs: 24 * 60 * 60 * 1_000,
  maxRefLength: 200,
} as const;

export function assertInteger(code: string, what: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidInputError(code, `${what} must be an integer from ${min} to ${max}`);
  }
}

/** Opaque references (customer, request, order) become hash fields: bounded, printable. */
export function assertRef(code: string, what: string, value: unknown): asserts value is string {
  if (typeof value !== "string" || value.length === 0 || value.length > LIMITS.maxRefLength || hasControlCharacter(value)) {
    throw new InvalidInputError(code, `${what} must be 1-${LIMITS.maxRefLength} printable characters`);
  }
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) < 0x20) return true;
  }
  return false;
}

/** Checks a cart and merges repeated items, so the scripts see each item once. */
export function normaliseLines(lines: unknown): Line[] {
  if (!Array.isArray(lines) || lines.length === 0 || lines.length > LIMITS.maxLines) {
    throw new InvalidInputError("invalid_lines", `lines must be a list of 1-${LIMITS.maxLines} lines`);
  }
  const merged = new Map<string, number>();
  for (const line of lines as unknown[]) {
    if (typeof line !== "object" || line === null) {
      throw new InvalidInputError("invalid_lines", "each line must be an object {itemId, quantity}");
    }
    const { itemId, quantity } = line as Record<string, unknown>;
    assertId("item", itemId);
    assertInteger("invalid_quantity", "quantity", quantity, 1, LIMITS.maxLineQuantity);
    const total = (merged.get(itemId) ?? 0) + quantity;
    // The message names the item: built only for a refusal, not for every line of every hold.
    if (total > LIMITS.maxLineQuantity) assertInteger("invalid_quantity", `total quantity of item ${itemId}`, total, 1, LIMITS.maxLineQuantity);
    merged.set(itemId, total);
  }
  const normalised: Line[] = [];
  for (const [itemId, quantity] of merged) normalised.push({ itemId, quantity });
  return normalised;
}

export function linesToArgs(lines: readonly Line[]): (string | number)[] {
  const args: (string | number)[] = [];
  for (const line of lines) args.push(line.itemId, line.quantity);
  return args;
}

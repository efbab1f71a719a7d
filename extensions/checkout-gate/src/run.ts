import { parseGateConfig, type GateDrop } from "./config.ts";
import { checkHoldToken, keyChain, type TokenCheck } from "./holdToken.ts";
import { message, type MessageKey } from "./messages.ts";
import type { RunInput, RunResult, ValidationError } from "./types.ts";

/**
 * The checkout gate: every cart line whose variant belongs to a running drop must carry a
 * hold token signed by the store for that drop's sale and that variant's sale item, and the
 * units of each drop item over all lines must not exceed what the cart's holds cover.
 *
 * The clock: a function sees no time but the shop's local date. A hold that expired but
 * that Holdfast has not reclaimed yet still passes here: the token proves the shopper
 * waited their turn, and whether its units are still there is decided when the order comes
 * in (order-time enforcement commits units covered by a live or unreclaimed hold and puts
 * the rest under the sale's bypass policy). Only a hold whose expiry lies a whole day
 * before the shop's date is refused as expired: the date is in the shop's time zone and the
 * expiry in UTC, so nothing finer is certain.
 */
export function run(input: RunInput): RunResult {
  const config = parseGateConfig(input.validation.metafield?.jsonValue);
  if (!config || config.d.length === 0) return { operations: [] };

  const dropOfVariant = new Map<string, { drop: GateDrop; item: string }>();
  for (const drop of config.d) for (const [variant, item] of Object.entries(drop.i)) dropOfVariant.set(variant, { drop, item });

  const language = input.localization.language.isoCode;
  const staleBefore = dayStart(input.shop.localTime.date) - DAY_SECONDS;
  const keys = keyChain(config.k);
  const checked = new Map<string, TokenCheck>();
  let hashed = 0;
  const errors: ValidationError[] = [];
  // Per drop item: the lines that carry a good token, their units, and the units each hold covers.
  const usage = new Map<string, { lines: number[]; units: number; holds: Map<string, number> }>();

  input.cart.lines.forEach((line, index) => {
    if (line.merchandise.__typename !== "ProductVariant") return;
    const entry = dropOfVariant.get(numericId(line.merchandise.id));
    if (!entry) return;
    const refuse = (key: MessageKey) => errors.push({ message: message(language, key), target: lineTarget(index) });
    const token = line.token?.value;
    if (!token) {
      if (entry.drop.f === "closed") refuse("hold_missing");
      return;
    }
    let check = checked.get(token);
    if (!check) {
      hashed += token.length;
      if (hashed > MAX_HASHED_BYTES) return refuse("too_many_holds");
      checked.set(token, (check = checkHoldToken(token, keys)));
    }
    if (!check.ok) return refuse("hold_invalid");
    const held = check.claims.s === entry.drop.s ? check.claims.ln.filter((held) => held.i === entry.item) : [];
    if (held.length === 0) return refuse("hold_mismatch");
    if (check.claims.exp < staleBefore) return refuse("hold_expired");

    const key = `${entry.drop.s}\u0000${entry.item}`;
    let use = usage.get(key);
    if (!use) usage.set(key, (use = { lines: [], units: 0, holds: new Map() }));
    use.lines.push(index);
    use.units += line.quantity;
    // One hold counts once, however many lines repeat its token.
    use.holds.set(
      check.claims.h,
      held.reduce((sum, each) => sum + each.q, 0),
    );
  });

  for (const use of usage.values()) {
    let covered = 0;
    for (const units of use.holds.values()) covered += units;
    if (use.units <= covered) continue;
    for (const index of use.lines) errors.push({ message: message(language, "quantity_over_hold", { held: covered }), target: lineTarget(index) });
  }
  return errors.length === 0 ? { operations: [] } : { operations: [{ validationAdd: { errors } }] };
}

const DAY_SECONDS = 86_400;

/**
 * Token bytes one run may hash. Shopify stops a function at 11 million Wasm instructions and
 * HMAC-SHA256 in interpreted JavaScript is the run's dominant cost, so the work is bounded
 * up front: 20 KB is about 55 one-line hold tokens (~350 bytes each), far beyond what
 * per-customer limits let one cart hold, while a cart stuffed with junk tokens costs no more.
 * bench/checkoutGate.ts measures a run at this size.
 */
export const MAX_HASHED_BYTES = 20_000;

/** The error lands on the line's quantity field, in the input query's own path. */
function lineTarget(index: number): string {
  return `$.cart.lines[${index}].quantity`;
}

function numericId(gid: string): string {
  return gid.slice(gid.lastIndexOf("/") + 1);
}

/** Seconds since the epoch at 00:00 UTC of a YYYY-MM-DD date; 0 (nothing is stale) when unreadable. */
function dayStart(date: string): number {
  const ms = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return Number.isFinite(ms) ? ms / 1000 : 0;
}

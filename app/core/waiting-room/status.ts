import { shuffledPlace } from "./shuffle.ts";
import type { AdmissionBatch, RoomView, ShopperStatus, TicketClaims } from "./types.ts";

/** The window over which the admission rate (and so the ETA) is measured. */
export const RATE_WINDOW_MS = 60_000;

/** Queue place of a ticket, or null while the pre-queue has not been shuffled yet. */
export function queuePlace(view: RoomView, ticket: Pick<TicketClaims, "k" | "n">): number | null {
  if (ticket.k === "q") return view.prequeued + ticket.n;
  if (view.state === "scheduled" || view.state === "prequeue") return null;
  return shuffledPlace(ticket.n, view.prequeued, view.seedKeys);
}

function batchOf(batches: readonly AdmissionBatch[], place: number): AdmissionBatch | undefined {
  for (let i = batches.length - 1; i >= 0; i--) {
    const batch = batches[i] as AdmissionBatch;
    if (place >= batch.first && place <= batch.last) return batch;
  }
  return undefined;
}

/** Shoppers admitted per second over the last minute; the configured rate before any data. */
export function admissionRate(view: RoomView, now: number): number {
  let admitted = 0;
  let oldest = now;
  for (const batch of view.batches) {
    if (batch.at < now - RATE_WINDOW_MS) continue;
    admitted += batch.last - batch.first + 1;
    oldest = Math.min(oldest, batch.at);
  }
  const span = Math.max(now - oldest, 1_000) / 1_000;
  if (admitted > 0) return admitted / span;
  return view.mode.includes("rate") ? view.perMinute / 60 : 0;
}

/** How long a measured rate is reused for one view: well under a second, so an ETA moves smoothly. */
const RATE_REUSE_MS = 100;
const measuredRates = new WeakMap<RoomView, { at: number; rate: number }>();

/**
 * admissionRate for the status path: every waiting shopper polling the same view would loop
 * over the same batches, so the figure is kept per view object for RATE_REUSE_MS.
 */
function currentRate(view: RoomView, now: number): number {
  const memo = measuredRates.get(view);
  if (memo !== undefined && Math.abs(now - memo.at) < RATE_REUSE_MS) return memo.rate;
  const rate = admissionRate(view, now);
  measuredRates.set(view, { at: now, rate });
  return rate;
}

/**
 * Polls are spread with ±20% jitter and grow with the wait, so a crowd never polls in step
 * and the shoppers far back (most of them) poll least.
 */
function refreshIn(seconds: number, random: () => number): number {
  const clamped = Math.min(Math.max(seconds, 2), 30);
  return Math.max(1, Math.round(clamped * (0.8 + 0.4 * random())));
}

/** One object shape for every answer (no spreads): this runs once per status poll. */
function answer(
  view: RoomView,
  state: ShopperStatus["state"],
  position: number | null,
  ahead: number | null,
  etaSeconds: number | null,
  refreshAfter: number | null,
): ShopperStatus {
  return { state, position, ahead, etaSeconds, refreshAfter, paused: view.state === "paused", passRequired: view.mode !== "off" };
}

export function shopperStatus(view: RoomView, ticket: TicketClaims, now: number, random: () => number = Math.random): ShopperStatus {
  const place = queuePlace(view, ticket);
  if (view.state === "ended") return answer(view, "ended", place, null, null, null);
  if (place === null) {
    const untilStart = view.startsAt === null ? null : Math.max(0, Math.ceil((view.startsAt - now) / 1_000));
    return answer(view, "prequeue", null, null, untilStart, refreshIn(untilStart === null ? 10 : untilStart / 2, random));
  }
  // Holds that lapse return stock, so a sold-out shopper keeps polling, slowly.
  if (view.soldOut) return answer(view, "soldout", place, null, null, refreshIn(30, random));
  if (view.mode === "off") return answer(view, "admitted", place, 0, 0, refreshIn(30, random));
  if (place <= view.serving) {
    const batch = batchOf(view.batches, place);
    const exp = batch ? batch.at + view.passMs : 0;
    if (exp <= now) return answer(view, "expired", place, null, null, null);
    const admitted = answer(view, "admitted", place, 0, 0, refreshIn((exp - now) / 2_000, random));
    admitted.pass = { pos: place, b: batch?.first ?? place, expiresAt: exp };
    return admitted;
  }
  const ahead = place - view.serving - 1;
  const rate = view.state === "paused" ? 0 : currentRate(view, now);
  const etaSeconds = rate > 0 ? Math.ceil((ahead + 1) / rate) : null;
  return answer(view, "waiting", place, ahead, etaSeconds, refreshIn(etaSeconds === null ? 10 : etaSeconds / 3, random));
}

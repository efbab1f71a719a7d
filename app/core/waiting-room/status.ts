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

/**
 * Polls are spread with ±20% jitter and grow with the wait, so a crowd never polls in step
 * and the shoppers far back (most of them) poll least.
 */
function refreshIn(seconds: number, random: () => number): number {
  const clamped = Math.min(Math.max(seconds, 2), 30);
  return Math.max(1, Math.round(clamped * (0.8 + 0.4 * random())));
}

export function shopperStatus(view: RoomView, ticket: TicketClaims, now: number, random: () => number = Math.random): ShopperStatus {
  const place = queuePlace(view, ticket);
  const base = { position: place, paused: view.state === "paused", passRequired: view.mode !== "off" };
  if (view.state === "ended") {
    return { ...base, state: "ended", ahead: null, etaSeconds: null, refreshAfter: null };
  }
  if (place === null) {
    const untilStart = view.startsAt === null ? null : Math.max(0, Math.ceil((view.startsAt - now) / 1_000));
    return { ...base, state: "prequeue", ahead: null, etaSeconds: untilStart, refreshAfter: refreshIn(untilStart === null ? 10 : untilStart / 2, random) };
  }
  if (view.soldOut) {
    // Holds that lapse return stock, so a sold-out shopper keeps polling, slowly.
    return { ...base, state: "soldout", ahead: null, etaSeconds: null, refreshAfter: refreshIn(30, random) };
  }
  if (view.mode === "off") {
    return { ...base, state: "admitted", ahead: 0, etaSeconds: 0, refreshAfter: refreshIn(30, random) };
  }
  if (place <= view.serving) {
    const batch = batchOf(view.batches, place);
    const exp = batch ? batch.at + view.passMs : 0;
    if (exp <= now) return { ...base, state: "expired", ahead: null, etaSeconds: null, refreshAfter: null };
    return {
      ...base,
      state: "admitted",
      ahead: 0,
      etaSeconds: 0,
      refreshAfter: refreshIn((exp - now) / 2_000, random),
      pass: { pos: place, b: batch?.first ?? place, expiresAt: exp },
    };
  }
  const ahead = place - view.serving - 1;
  const rate = view.state === "paused" ? 0 : admissionRate(view, now);
  const etaSeconds = rate > 0 ? Math.ceil((ahead + 1) / rate) : null;
  return { ...base, state: "waiting", ahead, etaSeconds, refreshAfter: refreshIn(etaSeconds === null ? 10 : etaSeconds / 3, random) };
}

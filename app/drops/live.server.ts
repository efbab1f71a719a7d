import type { LiveNumbers } from "../components/LiveDashboard.tsx";
import type { ChartSample } from "../components/SalesChart.tsx";
import { InvalidInputError } from "../core/errors/InvalidInputError.ts";
import { dashboardSampleKeys, saleInventoryKeys, writeBackKeys } from "../core/keys.ts";
import { lastLedgerId } from "../core/sync/index.ts";
import { DropStats } from "../db/DropStats.ts";
import { StoreRecords } from "../db/StoreRecords.ts";
import { REAUTHORIZE_MESSAGE } from "../stores/shopifyTokens.server.ts";
import { PrismaRecoveryStore } from "../db/PrismaRecoveryStore.ts";
import type { RecoveryRecord } from "../core/recovery/index.ts";
import type { SaleAction, SaleDetails } from "../core/sales/index.ts";
import { loadDrop } from "./access.server.ts";
import type { DropsDeps, DropsScope } from "./deps.server.ts";
import { counted } from "../core/plural.ts";

/** One point of the dashboard's chart. */
export type LiveSample = ChartSample;

/**
 * What the dashboard shows. `writeBack` is null for a drop without a platform store; its
 * breaker is null when the worker (whose store directory holds the breakers) runs in
 * another process, and the page says "not available".
 */
export type LiveSnapshot = LiveNumbers;

/**
 * The chart's samples: a capped Redis list under the sale's hash tag, written by the
 * dashboard's poll (so there are points while someone watches, one per SAMPLE_EVERY_MS
 * however many watch), kept for a week after the last one.
 */
export const SAMPLE_EVERY_MS = 5_000;
export const MAX_SAMPLES = 720; // an hour at one per 5 s
const SAMPLE_TTL_SECONDS = 7 * 24 * 3600;

export const sampleKeys = dashboardSampleKeys;

const sum = (details: SaleDetails, field: "held" | "sold" | "available" | "allocated") =>
  Object.values(details.counters).reduce((total, item) => total + item[field], 0);

async function recordSample(deps: DropsDeps, saleId: string, sample: LiveSample): Promise<void> {
  const keys = sampleKeys(saleId);
  // The gate makes one writer per interval across every open dashboard and process.
  const first = await deps.redis.set(keys.gate, String(sample.at), "PX", SAMPLE_EVERY_MS - 250, "NX");
  if (first !== "OK") return;
  await deps.redis
    .multi()
    .lpush(keys.samples, JSON.stringify(sample))
    .ltrim(keys.samples, 0, MAX_SAMPLES - 1)
    .expire(keys.samples, SAMPLE_TTL_SECONDS)
    .exec();
}

async function readSamples(deps: DropsDeps, saleId: string): Promise<LiveSample[]> {
  const raw = await deps.redis.lrange(sampleKeys(saleId).samples, 0, MAX_SAMPLES - 1);
  const samples: LiveSample[] = [];
  for (const entry of raw) {
    try {
      const value = JSON.parse(entry) as LiveSample;
      if (Number.isFinite(value.at) && Number.isFinite(value.sold) && Number.isFinite(value.waiting)) samples.push(value);
    } catch {
      // A damaged entry costs one point of the chart, not the dashboard.
    }
  }
  return samples.reverse();
}

export async function liveSnapshot(deps: DropsDeps, scope: DropsScope, saleId: string): Promise<LiveSnapshot> {
  const details = await loadDrop(deps, scope, saleId);
  const now = deps.clock.now();
  const view = details.sale.state === "draft" ? null : await deps.room.view(saleId);
  const admittedLastMinute = (view?.batches ?? [])
    .filter((batch) => batch.at > now - 60_000)
    .reduce((total, batch) => total + (batch.last - batch.first + 1), 0);
  const stats = new DropStats(deps.db);
  const [holdsExpired, bypass, oversold, recovery] = await Promise.all([
    stats.holdsExpired(saleId),
    stats.bypassOrdersByStatus(saleId),
    stats.oversold(saleId),
    new PrismaRecoveryStore(deps.db).latest(saleId),
  ]);
  const sold = sum(details, "sold");
  const waiting = details.room?.waiting ?? 0;
  if (details.sale.state !== "draft") await recordSample(deps, saleId, { at: now, sold, waiting });
  return {
    saleId,
    name: details.sale.name,
    state: details.sale.state,
    at: now,
    waiting,
    admittedTotal: details.room?.admitted ?? 0,
    admittedLastMinute,
    activeHolds: details.activeHolds ?? 0,
    held: sum(details, "held"),
    sold,
    remaining: details.sale.state === "draft" ? details.sale.items.reduce((total, item) => total + item.allocation, 0) : sum(details, "available"),
    allocated: details.sale.state === "draft" ? details.sale.items.reduce((total, item) => total + item.allocation, 0) : sum(details, "allocated"),
    soldOut: details.room?.soldOut ?? false,
    holdsExpired,
    bypassOrders: [...bypass.values()].reduce((total, count) => total + count, 0),
    bypassFlagged: bypass.get("flagged") ?? 0,
    oversold,
    writeBack: details.sale.storeId === null ? null : { ...(await writeBackLag(deps, saleId, now)), breaker: breakerOf(deps, details.sale.storeId) },
    // Shopify refused to renew the store's token: every platform call waits for the merchant.
    reauthorize: details.sale.storeId !== null && (await new StoreRecords(deps.db).tokenRefusedAtOfSale(saleId)) ? REAUTHORIZE_MESSAGE : null,
    admission: { mode: details.sale.admission.mode, perMinute: details.sale.admission.perMinute, maxActive: details.sale.admission.maxActive },
    series: await readSamples(deps, saleId),
    recovery: recovery && { at: recovery.recoveredAt, holdsLost: recovery.holdsLost, ordersFailed: recovery.ordersFailed, notice: recoveryNotice(recovery) },
  };
}

/** The dashboard's one-line account of a recovery (core/recovery), in UTC so it reads the same on every surface. */
export function recoveryNotice(recovery: RecoveryRecord): string {
  const at = new Date(recovery.recoveredAt).toISOString().replace("T", " ").slice(0, 16);
  const holds =
    recovery.holdsLost === 0
      ? "no holds were in flight"
      : `${counted(recovery.holdsLost, { one: "{n} hold in flight was", other: "{n} holds in flight were" })} lost; shoppers holding them must add again`;
  const failed =
    recovery.ordersFailed === 0
      ? ""
      : ` ${counted(recovery.ordersFailed, { one: "{n} checkout", other: "{n} checkouts" })} in progress could not be completed (marked failed, reason recovery_checkout_lost).`;
  return `Holdfast restarted this drop's stock from its orders at ${at} UTC: ${holds}.${failed}`;
}

export type LiveControl = SaleAction | "queueEveryone" | "setRate";
const CONTROLS: readonly LiveControl[] = ["start", "pause", "resume", "end", "queueEveryone", "setRate"];

export function isLiveControl(value: unknown): value is LiveControl {
  return CONTROLS.includes(value as LiveControl);
}

/**
 * The dashboard's buttons. "Queue everyone" turns a drop without a queue into one that
 * admits by rate (the rate given, else the drop's, else 600 a minute); "set rate" changes
 * how many shoppers a minute are let in, live. Both go through SaleService, so the core's
 * rules and the room's live settings apply at once.
 */
export async function runControl(deps: DropsDeps, scope: DropsScope, saleId: string, control: LiveControl, perMinuteText: string | null): Promise<void> {
  const details = await loadDrop(deps, scope, saleId);
  const perMinute = perMinuteText === null || perMinuteText.trim() === "" ? null : Number(perMinuteText.trim());
  if (perMinute !== null && !Number.isSafeInteger(perMinute)) throw new InvalidInputError("invalid_admission", "Shoppers per minute: enter a whole number.");
  switch (control) {
    case "queueEveryone": {
      const { mode, perMinute: current } = details.sale.admission;
      if (mode !== "off") return;
      await deps.sales.update(saleId, { admission: { mode: "rate", perMinute: perMinute ?? current ?? 600 } });
      return;
    }
    case "setRate": {
      if (perMinute === null) throw new InvalidInputError("invalid_admission", "Shoppers per minute: enter the new rate.");
      const mode = details.sale.admission.mode;
      // A rate needs a rate mode: a drop without one starts queueing at the new rate.
      const nextMode = mode === "off" ? "rate" : mode === "capacity" ? "rate+capacity" : mode;
      await deps.sales.update(saleId, { admission: { mode: nextMode, perMinute } });
      return;
    }
    default:
      await deps.sales.transition(saleId, control);
  }
}

/**
 * The worker's breaker for the drop's store: the most cautious state over its platforms;
 * "closed" when the worker has not called the store yet; null when the worker is elsewhere.
 */
function breakerOf(deps: DropsDeps, storeId: string): string | null {
  if (!deps.breakers) return null;
  const states = deps
    .breakers()
    .filter((breaker) => breaker.storeId === storeId)
    .map((breaker) => breaker.state);
  return states.includes("open") ? "open" : states.includes("half-open") ? "half-open" : "closed";
}

const streamMs = (id: string) => Number(id.split("-", 1)[0]);
const streamAfter = (a: string, b: string) => {
  const [aMs, aSeq] = a.split("-").map(Number) as [number, number];
  const [bMs, bSeq] = b.split("-").map(Number) as [number, number];
  return aMs > bMs || (aMs === bMs && aSeq > bSeq);
};

/**
 * How far the platform's stock is behind Holdfast's: the age of the oldest stock change
 * (ledger entry) after the write-back's cursor, 0 when every change is confirmed written.
 * If the persister already trimmed that entry, the newest change's age (a lower bound).
 */
async function writeBackLag(deps: DropsDeps, saleId: string, now: number): Promise<{ lagSeconds: number; refused: number }> {
  const keys = writeBackKeys(saleId);
  const [cursor, last, refused] = await Promise.all([deps.redis.get(keys.cursor), lastLedgerId(deps.redis, saleId), deps.redis.hlen(keys.refused)]);
  const confirmed = cursor ?? "0-0";
  if (!streamAfter(last, confirmed)) return { lagSeconds: 0, refused };
  const next = (await deps.redis.xrange(saleInventoryKeys(saleId).ledger, `(${confirmed}`, "+", "COUNT", 1))[0]?.[0] ?? last;
  return { lagSeconds: Math.max(0, Math.round((now - streamMs(next)) / 1000)), refused };
}

/** The live page's action: `intent` names the control, `perMinute` the rate where one is needed. */
export async function controlAction(deps: DropsDeps, scope: DropsScope, saleId: string, form: FormData): Promise<void> {
  const intent = form.get("intent");
  if (!isLiveControl(intent)) throw new InvalidInputError("unknown_intent", "Unknown control; reload the page and try again.");
  const perMinute = form.get("perMinute");
  await runControl(deps, scope, saleId, intent, typeof perMinute === "string" ? perMinute : null);
}

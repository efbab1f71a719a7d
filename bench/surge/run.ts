import { arrivalTimes, seededRandom } from "./arrivals.ts";
import { SurgeClient } from "./client.ts";
import type { SurgeOptions } from "./options.ts";
import { RedisMemoryProbe, type RedisMemory } from "./redisMemory.ts";
import { runShopper, type ShopperRecord, type SurgeContext } from "./shopper.ts";
import { admissionRate, createSale, endSale, readCounters, readRoom, readStock, SurgeError, type StockSample } from "./target.ts";

/** One second of the run, as the report's charts draw it. */
export interface TimelinePoint {
  second: number;
  arrived: number;
  waiting: number | null;
  admitted: number | null;
  held: number;
  sold: number;
  available: number;
}

export interface SurgeRun {
  saleId: string;
  createdSale: boolean;
  /** The sale's admission rate (shoppers per minute), when known. */
  perMinuteSetting: number | null;
  startedAt: string;
  durationMs: number;
  /** When the stock API first showed every unit sold, in ms after the start; null if it never did. */
  soldOutAtMs: number | null;
  stoppedBy: "sold_out" | "all_done" | "max_seconds";
  shoppers: ShopperRecord[];
  timeline: TimelinePoint[];
  /** The counters at the end, from Redis through the admin API when the token is known, else the stock API. */
  finalStock: StockSample | null;
  finalStockSource: "admin" | "stock_api";
  client: SurgeClient;
  redis: RedisMemory | null;
}

export type Progress = (point: TimelinePoint, run: { shoppers: number; units: number; elapsedMs: number; done: number }) => void;

/**
 * Runs a rehearsal: sets up (or takes) the sale, lets shoppers arrive on the curve, samples
 * the stock and the room every second, and stops once every unit is sold and every order
 * that was started has settled, once every shopper is done, or at --max-seconds.
 */
export async function runSurge(options: SurgeOptions, progress: Progress = () => undefined): Promise<SurgeRun> {
  const client = new SurgeClient(options.url, options.connections);
  // The once-a-second samples get connections of their own, so they never queue behind the crowd's requests.
  const sampler = new SurgeClient(options.url, 2);
  try {
    const health = await client.request(null, "GET", "/healthz");
    if (health.status !== 200)
      throw new SurgeError(
        `nothing healthy answers at ${options.url}/healthz (${health.status === 0 ? health.code : health.status}); start Holdfast first (npm start)`,
      );
    const setup =
      options.saleId === null
        ? await createSale(client, options.adminToken as string, options)
        : { saleId: options.saleId, perMinute: await admissionRate(client, options.adminToken, options.saleId) };
    const saleId = setup.saleId;
    let stock = await readStock(client, saleId);
    if (stock === null) throw new SurgeError(`sale ${saleId} has no stock to rehearse on (is it live?)`);
    const redisProbe = options.redisUrl === null ? null : await RedisMemoryProbe.open(options.redisUrl);

    const random = seededRandom(options.seed);
    const arrivals = arrivalTimes(options.curve, options.shoppers, random);
    const records: ShopperRecord[] = arrivals.map(() => ({
      position: null,
      joinedAt: null,
      admittedAt: null,
      heldAt: null,
      outcome: null,
      boughtUnits: 0,
      reason: null,
    }));
    const startedAt = Date.now();
    const elapsed = () => Date.now() - startedAt;
    const sleepers = new Set<() => void>();
    let soldOutAtMs: number | null = null;
    let stopping = false;
    const stop = () => {
      stopping = true;
      for (const wake of sleepers) wake();
      sleepers.clear();
    };
    const deadline = startedAt + options.maxSeconds * 1_000;
    const available = () => (stock?.items ?? []).filter((item) => item.available > 0).map((item) => item.itemId);
    const ctx: SurgeContext = {
      client,
      saleId,
      quantity: options.quantity,
      checkoutShare: options.checkoutShare,
      random,
      elapsed,
      itemsWithStock: available,
      stopped: () => stopping,
      soldOut: () => soldOutAtMs !== null,
      pastDeadline: () => Date.now() >= deadline,
      sleep: (ms) =>
        stopping
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              const wake = () => {
                clearTimeout(timer);
                sleepers.delete(wake);
                resolve();
              };
              const timer = setTimeout(wake, ms);
              sleepers.add(wake);
            }),
    };

    // Arrivals: each shopper starts at its time; the promise list settles when all are done.
    let arrived = 0;
    const visits: Promise<void>[] = [];
    const launcher = (async () => {
      for (const [index, at] of arrivals.entries()) {
        if (stopping) break;
        const wait = at - elapsed();
        if (wait > 0) await ctx.sleep(wait);
        if (stopping) break;
        arrived += 1;
        const record = records[index] as ShopperRecord;
        visits.push(runShopper(ctx, index, record).catch((error: unknown) => void ((record.outcome = "refused"), (record.reason = String(error)))));
      }
    })();

    const timeline: TimelinePoint[] = [];
    let stoppedBy: SurgeRun["stoppedBy"] = "max_seconds";
    const total = (field: "available" | "held" | "sold" | "allocated") => (stock?.items ?? []).reduce((sum, item) => sum + item[field], 0);
    for (let second = 1; ; second++) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + second * 1_000 - Date.now())));
      stock = (await readStock(sampler, saleId)) ?? stock;
      const room = await readRoom(sampler, options.adminToken, saleId);
      const point: TimelinePoint = {
        second,
        arrived,
        waiting: room?.waiting ?? null,
        admitted: room?.admitted ?? null,
        held: total("held"),
        sold: total("sold"),
        available: total("available"),
      };
      timeline.push(point);
      const done = records.filter((record) => record.outcome !== null).length;
      progress(point, { shoppers: options.shoppers, units: total("allocated"), elapsedMs: elapsed(), done });
      if (soldOutAtMs === null && point.sold >= total("allocated")) soldOutAtMs = elapsed();
      // Sold out: nothing more can be bought; shoppers still paying are followed to the end.
      const paying = records.some((record) => record.heldAt !== null && record.outcome === null);
      if (soldOutAtMs !== null && !paying) {
        stoppedBy = "sold_out";
        break;
      }
      if (arrived === options.shoppers && done === options.shoppers) {
        stoppedBy = "all_done";
        break;
      }
      if (Date.now() >= deadline) break;
    }
    stop();
    await launcher;
    await Promise.all(visits);
    const counters = await readCounters(client, options.adminToken, saleId);
    const finalStock = counters ?? (await readStock(client, saleId));
    const redis = redisProbe === null ? null : await redisProbe.finish(saleId);
    if (options.saleId === null) await endSale(client, options.adminToken, saleId);
    return {
      saleId,
      createdSale: options.saleId === null,
      perMinuteSetting: setup.perMinute,
      startedAt: new Date(startedAt).toISOString(),
      durationMs: elapsed(),
      soldOutAtMs,
      stoppedBy,
      shoppers: records,
      timeline,
      finalStock,
      finalStockSource: counters === null ? "stock_api" : "admin",
      client,
      redis,
    };
  } finally {
    client.close();
    sampler.close();
  }
}

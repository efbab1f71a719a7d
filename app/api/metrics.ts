import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

import { problemOf } from "../core/errors/problem.ts";
import type { HoldEngine } from "../core/inventory/index.ts";
import type { Logger } from "../core/logger.ts";
import { CONTENT_TYPE, MetricsRegistry, type CounterChild, type HistogramChild } from "../core/metrics/index.ts";
import { QUEUE_NAMES, type HoldfastQueues } from "../core/queues/index.ts";
import type { BreakerSnapshot } from "../core/resilience/index.ts";
import type { WaitingRoom } from "../core/waiting-room/index.ts";
import { HttpError } from "./HttpError.ts";
import type { Handler, RequestContext, Route } from "./router.ts";

/** Where the scrape-time figures come from; each is optional so a process exposes what it has. */
export interface MetricsSources {
  queues?: HoldfastQueues;
  room?: WaitingRoom;
  holds?: HoldEngine;
  /** Circuit breakers of the process's store directory (the worker's, under npm start). */
  breakers?: () => readonly BreakerSnapshot[];
  /** Shopify offline-token refreshes of the process's token keeper, by outcome (refreshed, refused, failed). */
  tokenRefreshes?: () => readonly { outcome: string; count: number }[];
  logger: Logger;
}

const QUEUE_STATES = ["waiting", "active", "delayed", "prioritized", "failed"] as const;
const BREAKER_STATES = ["closed", "open", "half-open"] as const;
const HOLD_OPERATIONS = ["reserve", "release", "commit", "take"] as const;

/**
 * Holdfast's metrics: HTTP requests and latency per route (counted in a wrapper around each
 * route, so a request costs two counter additions and no allocation once its route+status
 * child exists), hold operations of this process, and at scrape time: queue depths, breaker
 * states, waiting-room and stock counters per active sale.
 */
export class HoldfastMetrics {
  readonly registry = new MetricsRegistry();
  private readonly requests = this.registry.counter("holdfast_http_requests_total", "HTTP requests answered, by route pattern, method and status.", [
    "route",
    "method",
    "status",
  ]);
  private readonly latency = this.registry.histogram(
    "holdfast_http_request_duration_seconds",
    "Time spent in the route handler, by route pattern and method.",
    ["route", "method"],
  );
  private readonly holdOperations = this.registry.counter(
    "holdfast_hold_operations_total",
    "Hold engine calls made by this process, by operation and outcome.",
    ["operation", "outcome"],
  );
  private readonly holdsExpired = this.registry.counter("holdfast_holds_expired_total", "Expired holds ended by this process's sweeps.");

  constructor(private readonly sources: MetricsSources) {
    this.registry.gauge("holdfast_up", "1 while this process serves.").labels().set(1);
    this.collectQueues();
    this.collectBreakers();
    this.collectTokenRefreshes();
    this.collectRooms();
  }

  /** The routes, each wrapped to count its answers and time its handler. */
  instrument(routes: readonly Route[]): Route[] {
    return routes.map((route) => ({ ...route, handler: this.wrap(route) }));
  }

  /**
   * Counts the hold engine's outcomes as the engine reports them (one process's view; the
   * stock gauges below are the cross-process truth).
   */
  countHolds(holds: HoldEngine): void {
    const counted = new Set<string>(HOLD_OPERATIONS);
    const children = new Map<string, CounterChild>();
    holds.observe(({ operation, outcome, count }) => {
      if (operation === "expire") {
        if (count > 0) this.holdsExpired.labels().inc(count);
        return;
      }
      if (!counted.has(operation)) return;
      const key = `${operation}:${outcome}`;
      let child = children.get(key);
      if (child === undefined) children.set(key, (child = this.holdOperations.labels(operation, outcome)));
      child.inc();
    });
  }

  /** GET /metrics, behind a bearer token (the admin token, or HOLDFAST_METRICS_TOKEN). */
  route(tokens: readonly string[]): Route {
    const accepted = tokens.filter((token) => token.length > 0).map(digest);
    if (accepted.length === 0) throw new Error("/metrics needs a token (the admin token or HOLDFAST_METRICS_TOKEN)");
    return {
      method: "GET",
      path: "/metrics",
      handler: async ({ req, res }: RequestContext) => {
        authorize(req, accepted);
        const { text, failures } = await this.registry.render();
        for (const failure of failures)
          this.sources.logger.warn("a metrics collector failed", { error: failure instanceof Error ? failure.message : String(failure) });
        res.writeHead(200, { "content-type": CONTENT_TYPE, "cache-control": "no-store", "content-length": Buffer.byteLength(text) });
        res.end(text);
      },
    };
  }

  private wrap(route: Route): Handler {
    const byStatus = new Map<number, CounterChild>();
    const timing: HistogramChild = this.latency.labels(route.path, route.method);
    const record = (status: number, started: number) => {
      let child = byStatus.get(status);
      if (child === undefined) byStatus.set(status, (child = this.requests.labels(route.path, route.method, String(status))));
      child.inc();
      timing.observe((performance.now() - started) / 1_000);
    };
    const handler = route.handler;
    return (ctx) => {
      const started = performance.now();
      let result: unknown;
      try {
        result = handler(ctx);
      } catch (error) {
        record(statusOf(error), started);
        throw error;
      }
      // Handlers that answer synchronously stay synchronous: no promise is added for them.
      if (result instanceof Promise) {
        return result.then(
          (value: unknown) => {
            record(ctx.res.statusCode, started);
            return value;
          },
          (error: unknown) => {
            record(statusOf(error), started);
            throw error;
          },
        );
      }
      record(ctx.res.statusCode, started);
      return result;
    };
  }

  private collectQueues(): void {
    const queues = this.sources.queues;
    if (!queues) return;
    const depth = this.registry.gauge("holdfast_queue_jobs", "Jobs per BullMQ queue and state, read at scrape time.", ["queue", "state"]);
    this.registry.collect(async () => {
      await Promise.all(
        Object.values(QUEUE_NAMES).map(async (name) => {
          const counts = await queues.queue(name).getJobCounts(...QUEUE_STATES);
          for (const state of QUEUE_STATES) depth.labels(name, state).set(counts[state] ?? 0);
        }),
      );
    });
  }

  /** Counted by the keeper; a refused refresh means a store waits for its merchant (alert on it). */
  private collectTokenRefreshes(): void {
    const refreshes = this.sources.tokenRefreshes;
    if (!refreshes) return;
    const counter = this.registry.counter(
      "holdfast_shopify_token_refreshes_total",
      "Shopify offline-token refreshes by this process, by outcome (refused: the store waits for the merchant to open the app again).",
      ["outcome"],
    );
    this.registry.collect(() => {
      for (const { outcome, count } of refreshes()) {
        const child = counter.labels(outcome);
        if (count > child.value) child.inc(count - child.value);
      }
    });
  }

  private collectBreakers(): void {
    const breakers = this.sources.breakers;
    if (!breakers) return;
    const gauge = this.registry.gauge("holdfast_breaker_state", "1 for the current state of each circuit breaker (per store and platform), 0 for the others.", [
      "store",
      "platform",
      "state",
    ]);
    this.registry.collect(() => {
      gauge.reset();
      for (const breaker of breakers()) {
        for (const state of BREAKER_STATES) gauge.labels(breaker.storeId, breaker.platform, state).set(breaker.state === state ? 1 : 0);
      }
    });
  }

  private collectRooms(): void {
    const { room, holds } = this.sources;
    if (!room) return;
    const waiting = this.registry.gauge("holdfast_room_waiting", "Shoppers in line and not yet admitted, per active sale.", ["sale"]);
    const admitted = this.registry.gauge("holdfast_room_admitted", "Queue places admitted so far (the serving counter), per active sale.", ["sale"]);
    const units = this.registry.gauge("holdfast_sale_units", "Units per active sale, item and state (available, held, sold, allocated).", [
      "sale",
      "item",
      "state",
    ]);
    const activeHolds = this.registry.gauge("holdfast_sale_active_holds", "Holds alive per active sale.", ["sale"]);
    const oversold = this.registry.counter(
      "holdfast_oversold_units_total",
      "Units platforms sold beyond a sale's stock, per active sale and item (recorded with the order, never hidden).",
      ["sale", "item"],
    );
    this.registry.collect(async () => {
      const saleIds = await room.activeRooms();
      const views = await Promise.all(
        saleIds.map(async (saleId) => ({ saleId, view: await room.view(saleId), stock: holds ? await holds.snapshot(saleId) : null })),
      );
      for (const gauge of [waiting, admitted, units, activeHolds]) gauge.reset();
      for (const { saleId, view, stock } of views) {
        if (view) {
          waiting.labels(saleId).set(Math.max(0, view.prequeued + view.issued - view.serving));
          admitted.labels(saleId).set(view.serving);
        }
        if (stock) {
          activeHolds.labels(saleId).set(stock.activeHolds);
          for (const [itemId, counters] of Object.entries(stock.items)) {
            for (const state of ["available", "held", "sold", "allocated"] as const) units.labels(saleId, itemId, state).set(counters[state]);
          }
          // The sale's total lives in Redis (any process may settle an order): the counter catches up to it.
          for (const [itemId, total] of Object.entries(stock.oversold)) {
            const child = oversold.labels(saleId, itemId);
            child.inc(Math.max(0, total - child.value));
          }
        }
      }
    });
  }
}

/** HOLDFAST_METRICS_TOKEN, when set (at least 24 characters), opens /metrics besides the admin token. */
export function metricsTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const token = env.HOLDFAST_METRICS_TOKEN?.trim();
  if (!token) return null;
  if (token.length < 24) throw new Error("HOLDFAST_METRICS_TOKEN must be at least 24 characters");
  return token;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function authorize(req: IncomingMessage, accepted: readonly Buffer[]): void {
  const given = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? "")?.[1];
  if (given === undefined)
    throw new HttpError(401, "unauthorized", "Send the metrics token as `Authorization: Bearer <token>`.", {
      "www-authenticate": 'Bearer realm="holdfast-metrics"',
    });
  const hash = digest(given);
  let ok = false;
  for (const candidate of accepted) if (timingSafeEqual(hash, candidate)) ok = true;
  if (!ok)
    throw new HttpError(401, "unauthorized", "The metrics token is not valid (the admin token or HOLDFAST_METRICS_TOKEN).", {
      "www-authenticate": 'Bearer realm="holdfast-metrics", error="invalid_token"',
    });
}

function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  return problemOf(error)?.status ?? 500;
}

import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

import { Agent, fetch, type RequestInit, type Response } from "undici";

import { migrateDatabase } from "../../app/db/migrate.server.ts";
import type { StorefrontDeps } from "../../app/api/storefront/deps.ts";
import { storefrontRoutes } from "../../app/api/storefront/routes.ts";
import { StockCache } from "../../app/api/storefront/stockCache.ts";
import { staticOriginPolicy } from "../../app/api/cors.ts";
import { trustedProxies } from "../../app/api/clientAddress.ts";
import { HoldEngine } from "../../app/core/inventory/index.ts";
import { silentLogger } from "../../app/core/logger.ts";
import { DEFAULT_RATE_LIMIT_RULES, LocalRateLimiter, type RateLimitRules } from "../../app/core/rate-limit/index.ts";
import { VerifiedTokenCache } from "../../app/core/tokens/index.ts";
import { RoomViewCache, WaitingRoom, type RoomSettings, type TicketClaims } from "../../app/core/waiting-room/index.ts";
import { createDb } from "../../app/db/client.server.ts";
import { createHttpServer, type RequestTimeouts } from "../../app/server.ts";
import { SqlKeyringSource } from "../../app/stores/keyrings.server.ts";
import { freshDatabase } from "../db/databases.ts";
import type { RedisClient } from "../../app/core/redis.ts";
import { connectTestRedis, uniqueSaleId, type ManualClock } from "./redis.ts";

export const ALLOWED_ORIGIN = "https://shop.example.com";

export interface Storefront {
  base: string;
  deps: StorefrontDeps;
  createSale(
    options?: Partial<RoomSettings> & { items?: Record<string, number>; perCustomerLimit?: number; state?: "scheduled" | "prequeue" | "live" },
  ): Promise<string>;
  /** Runs admission ticks (as the controller would) until `place` is admitted. */
  admitThrough(saleId: string, place: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The storefront API on a real server with real Redis and a real (temporary SQLite) store of
 * signing keys. Each storefront has its own rate-limit prefix and room registry, so tests in
 * parallel never see each other.
 */
export async function startStorefront(
  options: {
    clock?: ManualClock;
    rules?: Partial<RateLimitRules>;
    viewFreshMs?: number;
    redis?: () => RedisClient;
    trustedProxies?: string[];
    timeouts?: RequestTimeouts;
  } = {},
): Promise<Storefront> {
  const database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  const db = createDb(database.url);
  const redis = options.redis?.() ?? connectTestRedis();
  const run = randomBytes(4).toString("hex");
  const clock = options.clock ?? { now: () => Date.now() };
  const room = new WaitingRoom(redis, { clock, registryKey: `hf:test:${run}:rooms` });
  const holds = new HoldEngine(redis, { clock });
  const deps: StorefrontDeps = {
    holds,
    stock: new StockCache(holds, clock),
    room,
    views: new RoomViewCache((saleId) => room.view(saleId), { clock, freshMs: options.viewFreshMs ?? 200, staleMs: options.viewFreshMs ?? 1_000 }),
    keyrings: new SqlKeyringSource(db, randomBytes(32)),
    localLimiter: new LocalRateLimiter({ clock }),
    // Every test shopper comes from 127.0.0.1: no per-address hold limit unless a test asks for one.
    rules: { ...DEFAULT_RATE_LIMIT_RULES, holdUnitsPerAddress: 0, ...options.rules },
    trustedProxies: trustedProxies(options.trustedProxies ?? []),
    tickets: new VerifiedTokenCache<TicketClaims>({ type: "ticket" }),
    clock,
  };
  const server = createHttpServer({
    readiness: [],
    routes: storefrontRoutes(deps),
    originPolicy: staticOriginPolicy([ALLOWED_ORIGIN]),
    logger: silentLogger,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    base,
    deps,
    async createSale(sale = {}) {
      const saleId = uniqueSaleId("shop");
      const items = sale.items ?? { shoe: 100 };
      await deps.holds.defineSale(saleId, {
        perCustomerLimit: sale.perCustomerLimit ?? 0,
        items: Object.entries(items).map(([itemId, allocation]) => ({ itemId, allocation })),
      });
      await room.configure(
        saleId,
        {
          mode: sale.mode ?? "off",
          perMinute: sale.perMinute ?? null,
          maxActive: sale.maxActive ?? null,
          passMinutes: sale.passMinutes ?? 10,
          holdMinutes: sale.holdMinutes ?? 10,
          storeId: null,
          prequeueAt: sale.prequeueAt ?? null,
          startsAt: sale.startsAt ?? null,
          endsAt: sale.endsAt ?? null,
        },
        sale.state === "prequeue" ? "prequeue" : "scheduled",
      );
      if ((sale.state ?? "live") === "live") await room.transition(saleId, "live");
      return saleId;
    },
    async admitThrough(saleId, place) {
      for (let attempt = 0; attempt < 200; attempt++) {
        if ((await room.admit(saleId)).serving >= place) {
          deps.views.invalidate(saleId);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`place ${place} of ${saleId} was not admitted within 4 s`);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.quit().catch(() => redis.disconnect());
      await db.$disconnect();
      await database.drop();
    },
  };
}

// Test shoppers share a bounded pool of kept-alive connections, as browsers behind a CDN reach
// an origin over few: thousands of logical shoppers still call at once, but the server is not
// asked to accept 2,000 sockets in one burst, which overflowed its accept queue on a loaded CI
// machine (resets and connect timeouts that were not about the storefront).
const SHOPPER_CONNECTIONS = new Agent({ connections: 64, pipelining: 1 });

// ECONNRESET/EPIPE/UND_ERR_SOCKET: a kept-alive socket closed just as it was reused.
// UND_ERR_CONNECT_TIMEOUT: no connection in time, so nothing was sent.
const LOST_CONNECTION = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"]);

/**
 * fetch, sent again when the connection was lost before an answer (as the widget does). Every
 * storefront call is safe to repeat (a hold repeats its requestId).
 */
async function fetchRetryingLostConnections(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, { ...init, dispatcher: SHOPPER_CONNECTIONS });
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      if (attempt >= 5 || typeof code !== "string" || !LOST_CONNECTION.has(code)) throw error;
    }
  }
}

/** A shopper: one session, a ticket once joined, and JSON helpers. */
export class Shopper {
  readonly session = randomBytes(18).toString("base64url");
  ticket = "";

  constructor(
    private readonly base: string,
    readonly saleId: string,
  ) {}

  async request(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; bearer?: string } = {}) {
    const headers: Record<string, string> = { "x-holdfast-session": this.session, ...init.headers };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const res = await fetchRetryingLostConnections(`${this.base}${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
  }

  async join() {
    const answer = await this.request("POST", `/v1/sales/${this.saleId}/tickets`);
    if (answer.status === 201) this.ticket = String(answer.body.ticket);
    return answer;
  }

  status() {
    return this.request("GET", `/v1/sales/${this.saleId}/status`, { bearer: this.ticket });
  }

  hold(lines: { itemId: string; quantity: number }[], options: { requestId?: string; pass?: string } = {}) {
    return this.request("POST", `/v1/sales/${this.saleId}/holds`, {
      body: { lines, requestId: options.requestId ?? randomBytes(8).toString("hex") },
      headers: options.pass ? { "x-holdfast-pass": options.pass } : {},
    });
  }
}

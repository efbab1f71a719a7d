import type { Clock } from "../../core/clock.ts";
import type { HoldEngine } from "../../core/inventory/index.ts";
import { ID_PATTERN } from "../../core/keys.ts";
import type { LocalRateLimiter, RateLimitRules } from "../../core/rate-limit/index.ts";
import type { RedisCircuit } from "../../core/resilience/index.ts";
import type { Keyring, VerifiedTokenCache } from "../../core/tokens/index.ts";
import type { RoomView, RoomViewCache, TicketClaims, WaitingRoom } from "../../core/waiting-room/index.ts";
import type { TrustedProxies } from "../clientAddress.ts";
import { HttpError } from "../HttpError.ts";
import type { StockCache } from "./stockCache.ts";

/** Where the storefront finds a store's signing keys; implementations cache them in memory. */
export interface KeyringSource {
  /** `storeId` null is the standalone store (demo and headless use without a platform). */
  forStore(storeId: string | null): Keyring | Promise<Keyring>;
}

export interface StorefrontDeps {
  holds: HoldEngine;
  room: WaitingRoom;
  views: RoomViewCache;
  /** The stock counters every stock route answers with (one cache per process). */
  stock: StockCache;
  keyrings: KeyringSource;
  localLimiter: LocalRateLimiter;
  rules: RateLimitRules;
  trustedProxies: TrustedProxies;
  /** Tickets already verified by this process: a repeat poll skips the HMAC and the parse. */
  tickets: VerifiedTokenCache<TicketClaims>;
  clock: Clock;
  /** The circuit around the storefront's Redis; every storefront route runs inside it. */
  redisCircuit?: RedisCircuit;
}

/** Where routes read a sale's room: the in-process RoomViewCache. */
export interface RoomSource {
  get(saleId: string): Promise<RoomView | null>;
}

/** The room of a sale, from the in-process cache; unknown and never-opened sales are 404. */
export async function requireRoom(deps: { views: RoomSource }, saleId: string): Promise<RoomView> {
  return roomOrNotFound(saleId, ID_PATTERN.test(saleId) ? await deps.views.get(saleId) : null);
}

/** requireRoom without waiting when this process holds a young view; undefined means "call requireRoom". */
export function peekRoom(deps: StorefrontDeps, saleId: string): RoomView | undefined {
  if (!ID_PATTERN.test(saleId)) return roomOrNotFound(saleId, null);
  const view = deps.views.peek(saleId);
  return view === undefined ? undefined : roomOrNotFound(saleId, view);
}

function roomOrNotFound(saleId: string, view: RoomView | null): RoomView {
  // The storefront reads Redis only, where a draft has nothing yet: a draft and a wrong id look alike here.
  if (!view)
    throw new HttpError(
      404,
      "sale_not_found",
      `Sale ${saleId} is not open to shoppers: either it does not exist (check the sale id in the widget settings) or it is a draft the merchant has not started or scheduled yet.`,
    );
  return view;
}

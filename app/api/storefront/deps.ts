import type { Clock } from "../../core/clock.ts";
import type { HoldEngine } from "../../core/inventory/index.ts";
import type { LocalRateLimiter, RateLimitRules, RedisRateLimiter } from "../../core/rate-limit/index.ts";
import type { Keyring } from "../../core/tokens/index.ts";
import type { RoomView, RoomViewCache, WaitingRoom } from "../../core/waiting-room/index.ts";
import type { TrustedProxies } from "../clientAddress.ts";
import { HttpError } from "../HttpError.ts";

/** Where the storefront finds a store's signing keys; implementations cache them in memory. */
export interface KeyringSource {
  /** `storeId` null is the standalone store (demo and headless use without a platform). */
  forStore(storeId: string | null): Keyring | Promise<Keyring>;
}

export interface StorefrontDeps {
  holds: HoldEngine;
  room: WaitingRoom;
  views: RoomViewCache;
  keyrings: KeyringSource;
  limiter: RedisRateLimiter;
  localLimiter: LocalRateLimiter;
  rules: RateLimitRules;
  trustedProxies: TrustedProxies;
  clock: Clock;
}

/** The room of a sale, from the in-process cache; unknown and never-opened sales are 404. */
export async function requireRoom(deps: StorefrontDeps, saleId: string): Promise<RoomView> {
  const view = /^[A-Za-z0-9_-]{1,64}$/.test(saleId) ? await deps.views.get(saleId) : null;
  if (!view) throw new HttpError(404, "sale_not_found", `There is no open sale ${saleId}; check the sale id in the widget settings.`);
  return view;
}

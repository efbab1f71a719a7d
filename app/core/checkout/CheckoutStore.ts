import { fileURLToPath } from "node:url";

import { systemClock, type Clock } from "../clock.ts";
import type { Line } from "../inventory/index.ts";
import { checkoutKey, queuedCheckoutsKey, saleInventoryKeys } from "../keys.ts";
import { defineLuaCommands, type LuaCommand } from "../luaScripts.ts";
import type { RedisClient } from "../redis.ts";
import type { CheckoutLinks } from "../orders/OrderProcessor.ts";
import { orderIdForHold } from "./orderIds.ts";

const LUA_DIRECTORY = fileURLToPath(new URL("./lua/", import.meta.url));

export type CheckoutStatus = "queued" | "processing" | "placed" | "failed";

export interface CheckoutError {
  code: string;
  message: string;
}

export interface Customer {
  email?: string;
  name?: string;
}

/** A headless order as Redis keeps it while it is being worked on (and a week after). */
export interface CheckoutOrder {
  orderId: string;
  saleId: string;
  holdId: string;
  storeId: string | null;
  status: CheckoutStatus;
  lines: Line[];
  /** The hold's customer id (the shopper's session binding). */
  customerId: string;
  customer: Customer | null;
  /** The shopper's payment payload; dropped once the order is settled. */
  payment: Record<string, unknown> | null;
  platformOrderRef?: string;
  paymentUrl?: string;
  error?: CheckoutError;
  /** A failed order whose payment still has to be given back (the refund call failed). */
  refundPending: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface OpenCheckout {
  saleId: string;
  holdId: string;
  storeId: string | null;
  payment: Record<string, unknown>;
  customer: Customer | null;
}

export type OpenResult =
  | { outcome: "opened"; orderId: string }
  | { outcome: "existing"; orderId: string; status: CheckoutStatus }
  /** No such hold (released, committed, or expired and reclaimed). */
  | { outcome: "hold_gone" }
  | { outcome: "hold_expired" };

export interface CheckoutStoreOptions {
  clock?: Clock;
  /** How long an opened checkout keeps its hold alive, at least; default 30 minutes. */
  holdExtensionMs?: number;
  /** How long a record stays in Redis; default 7 days (SQL keeps the order for good). */
  retentionMs?: number;
}

/**
 * The Redis record of each headless checkout: one hash per order, under the sale's hash tag
 * (`hf:{s:<sale>}:checkout:<orderId>`), so opening it is one script together with the hold's
 * keys, valid on Redis Cluster. The storefront opens and reads it; the checkout worker moves
 * it along (queued -> processing -> placed | failed).
 */
export class CheckoutStore implements CheckoutLinks {
  private readonly commands: Record<"openCheckout", LuaCommand>;
  private readonly clock: Clock;
  private readonly holdExtensionMs: number;
  private readonly retentionMs: number;

  constructor(
    private readonly redis: RedisClient,
    options: CheckoutStoreOptions = {},
  ) {
    this.commands = defineLuaCommands(redis, LUA_DIRECTORY, { openCheckout: { numberOfKeys: 4 } }, "holdfastCheckout_");
    this.clock = options.clock ?? systemClock;
    this.holdExtensionMs = options.holdExtensionMs ?? 30 * 60_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 60 * 60_000;
  }

  static key(saleId: string, orderId: string): string {
    return checkoutKey(saleId, orderId);
  }

  /** Opens the checkout of a live hold, or finds the one it already opened. */
  async open(request: OpenCheckout): Promise<OpenResult> {
    const orderId = orderIdForHold(request.holdId);
    const keys = saleInventoryKeys(request.saleId);
    const now = this.clock.now();
    const fields: (string | number)[] = [
      "orderId",
      orderId,
      "saleId",
      request.saleId,
      "holdId",
      request.holdId,
      "storeId",
      request.storeId ?? "",
      "profile",
      request.customer ? JSON.stringify(request.customer) : "",
      "payment",
      JSON.stringify(request.payment),
      "createdAt",
      now,
      "updatedAt",
      now,
    ];
    const reply = (await this.commands.openCheckout(
      [keys.holds, keys.expiry, CheckoutStore.key(request.saleId, orderId), queuedCheckoutsKey(request.saleId)],
      [request.holdId, now, now + this.holdExtensionMs, this.retentionMs, ...fields],
    )) as string[];
    switch (reply[0]) {
      case "opened":
        return { outcome: "opened", orderId };
      case "existing":
        return { outcome: "existing", orderId, status: reply[1] as CheckoutStatus };
      case "hold_gone":
        return { outcome: "hold_gone" };
      case "hold_expired":
        return { outcome: "hold_expired" };
      default:
        throw new Error(`checkout script answered ${JSON.stringify(reply)}`);
    }
  }

  async get(saleId: string, orderId: string): Promise<CheckoutOrder | null> {
    const raw = await this.redis.hgetall(CheckoutStore.key(saleId, orderId));
    if (!raw.status || !raw.holdId) return null;
    const order: CheckoutOrder = {
      orderId,
      saleId,
      holdId: raw.holdId,
      storeId: raw.storeId || null,
      status: raw.status as CheckoutStatus,
      lines: parseLines(raw.lines ?? "[]"),
      customerId: raw.customer ?? "",
      customer: raw.profile ? (JSON.parse(raw.profile) as Customer) : null,
      payment: raw.payment ? (JSON.parse(raw.payment) as Record<string, unknown>) : null,
      refundPending: raw.refund === "pending",
      createdAt: Number(raw.createdAt),
      updatedAt: Number(raw.updatedAt),
    };
    if (raw.platformOrderRef) order.platformOrderRef = raw.platformOrderRef;
    if (raw.paymentUrl) order.paymentUrl = raw.paymentUrl;
    if (raw.errorCode) order.error = { code: raw.errorCode, message: raw.errorMessage ?? "" };
    return order;
  }

  /** CheckoutLinks (core/orders): what the order processor needs to recognise our orders. */
  async checkoutOfHold(saleId: string, holdId: string): Promise<{ platformOrderRef: string } | "in_flight" | null> {
    const [status, platformOrderRef] = await this.redis.hmget(CheckoutStore.key(saleId, orderIdForHold(holdId)), "status", "platformOrderRef");
    if (status === "queued" || status === "processing") return "in_flight";
    return status === "placed" && platformOrderRef ? { platformOrderRef } : null;
  }

  /** The record exists and is not settled, so its job can still work it (recovery re-enqueues such orders). */
  async workable(saleId: string, orderId: string): Promise<boolean> {
    const status = await this.redis.hget(CheckoutStore.key(saleId, orderId), "status");
    return status === "queued" || status === "processing";
  }

  async markProcessing(saleId: string, orderId: string): Promise<void> {
    await this.redis
      .multi()
      .hset(CheckoutStore.key(saleId, orderId), "status", "processing", "updatedAt", this.clock.now())
      .zrem(queuedCheckoutsKey(saleId), orderId)
      .exec();
  }

  /**
   * Orders of the sale opened at least `olderThanMs` ago and still `queued`: their job may
   * never have been enqueued (a crash between the two steps). Entries whose record moved on
   * or is gone are dropped from the index on the way.
   */
  async leftQueued(saleId: string, olderThanMs: number): Promise<string[]> {
    const index = queuedCheckoutsKey(saleId);
    const candidates = await this.redis.zrangebyscore(index, "-inf", this.clock.now() - olderThanMs, "LIMIT", 0, 500);
    const orphans: string[] = [];
    for (const orderId of candidates) {
      const status = await this.redis.hget(CheckoutStore.key(saleId, orderId), "status");
      if (status === "queued") orphans.push(orderId);
      else await this.redis.zrem(index, orderId);
    }
    return orphans;
  }

  /** The sweeper saw to this order now; look again only after another grace period. */
  async touchQueued(saleId: string, orderId: string): Promise<void> {
    await this.redis.zadd(queuedCheckoutsKey(saleId), "XX", this.clock.now(), orderId);
  }

  /** Remembers the platform order as soon as it exists, so a webhook about it can be matched. */
  async notePlatformOrder(saleId: string, orderId: string, platformOrderRef: string, paymentUrl?: string): Promise<void> {
    await this.redis.hset(
      CheckoutStore.key(saleId, orderId),
      "platformOrderRef",
      platformOrderRef,
      "paymentUrl",
      paymentUrl ?? "",
      "updatedAt",
      this.clock.now(),
    );
  }

  async markPlaced(saleId: string, orderId: string, platformOrderRef: string, paymentUrl?: string): Promise<void> {
    const key = CheckoutStore.key(saleId, orderId);
    await this.redis
      .multi()
      .hset(key, "status", "placed", "platformOrderRef", platformOrderRef, "paymentUrl", paymentUrl ?? "", "updatedAt", this.clock.now())
      .hdel(key, "payment")
      .exec();
  }

  /** Failed, with the refund still to do: a crash or a refund error leaves it for the next run. */
  async markFailed(saleId: string, orderId: string, error: CheckoutError): Promise<void> {
    const key = CheckoutStore.key(saleId, orderId);
    await this.redis
      .multi()
      .hset(key, "status", "failed", "errorCode", error.code, "errorMessage", error.message, "refund", "pending", "updatedAt", this.clock.now())
      .hdel(key, "payment")
      .exec();
  }

  async markRefunded(saleId: string, orderId: string): Promise<void> {
    await this.redis.hset(CheckoutStore.key(saleId, orderId), "refund", "done", "updatedAt", this.clock.now());
  }
}

/** The inventory's `[[item, qty], ...]` as lines. */
function parseLines(json: string): Line[] {
  const raw = JSON.parse(json) as [string, number][];
  return raw.map(([itemId, quantity]) => ({ itemId, quantity }));
}

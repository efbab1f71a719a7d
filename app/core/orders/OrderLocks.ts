import { fileURLToPath } from "node:url";

import { randomId } from "../randomId.ts";
import { orderLockKey } from "../keys.ts";
import { defineLuaCommands, type LuaCommand } from "../luaScripts.ts";
import type { RedisClient } from "../redis.ts";
import { OrderBusyError } from "./errors.ts";

const LUA_DIRECTORY = fileURLToPath(new URL("./lua/", import.meta.url));

export interface OrderLocksOptions {
  /** How long a lock lives if its holder dies (kill -9) before releasing it. */
  ttlMs?: number;
  /** How long to wait for a busy order before giving the job back for a later retry. */
  waitMs?: number;
  pollMs?: number;
}

/**
 * One event at a time per order. Events of the same order may be processed concurrently
 * (a "created" and a "cancelled" delivered together, or a retry racing a redelivery); each
 * step the processor takes is idempotent, but the decision between them (commit, or honour
 * an earlier cancellation) must see a settled state. The lock key carries the sale's hash tag.
 */
export class OrderLocks {
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;
  /** Sent by SHA (EVALSHA), not as text every time: one runs per order event. */
  private readonly releaseLock: LuaCommand;

  constructor(
    private readonly redis: RedisClient,
    options: OrderLocksOptions = {},
  ) {
    this.releaseLock = defineLuaCommands(redis, LUA_DIRECTORY, { releaseLock: { numberOfKeys: 1 } }, "holdfastOrders_").releaseLock;
    this.ttlMs = options.ttlMs ?? 30_000;
    this.waitMs = options.waitMs ?? 2_000;
    this.pollMs = options.pollMs ?? 25;
  }

  /** Runs `work` holding the order's lock; throws OrderBusyError when it stays busy. */
  async withLock<T>(saleId: string, orderRef: string, work: () => Promise<T>): Promise<T> {
    const key = orderLockKey(saleId, orderRef);
    const token = randomId();
    const deadline = Date.now() + this.waitMs;
    while ((await this.redis.set(key, token, "PX", this.ttlMs, "NX")) === null) {
      if (Date.now() >= deadline) throw new OrderBusyError(`order ${orderRef} of sale ${saleId} is being processed by another job`);
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
    try {
      return await work();
    } finally {
      await this.releaseLock([key], [token]).catch(() => undefined);
    }
  }
}

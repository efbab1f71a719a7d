import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

import { defineLuaCommands, type LuaCommand } from "../luaScripts.ts";
import { PlatformError } from "../platform/PlatformError.ts";
import type { RedisClient } from "../redis.ts";
import { DEFAULT_BUDGET_MAX_WAIT_MS, type BucketStatus, type RateBudget, type Reservation } from "./CostBudget.ts";
import { COST_BUDGET_PREFIX, costBudgetKeys } from "../keys.ts";

const LUA_DIRECTORY = fileURLToPath(new URL("./lua/", import.meta.url));
const COMMANDS = { budgetAcquire: { numberOfKeys: 3 }, budgetSettle: { numberOfKeys: 3 } } as const;
export const DEFAULT_BUDGET_PREFIX = COST_BUDGET_PREFIX;

export interface RedisCostBudgetOptions {
  /** Prepended to every key; tests pass their own. */
  keyPrefix?: string;
  maxWaitMs?: number;
  /** Fraction of the reported restore rate counted on. */
  restoreSafety?: number;
  /** How long a reservation counts at most, so a crashed process's reservations fade (ms). */
  reservationTtlMs?: number;
  /** How long an answerless reservation (timeout) keeps counting: it may still arrive (ms). */
  releaseGraceMs?: number;
}

/**
 * The store's cost bucket mirrored in Redis, so every worker process spends one set of books
 * (two Lua commands: budgetAcquire, budgetSettle; same arithmetic as CostBudget). Callers
 * waiting for points poll at the interval the script computes; unlike CostBudget there is
 * no strict first-come order between processes.
 */
export class RedisCostBudget implements RateBudget {
  private readonly commands: Record<keyof typeof COMMANDS, LuaCommand>;
  private readonly keys: string[];
  private readonly maxWaitMs: number;
  private readonly restoreSafety: number;
  private readonly reservationTtlMs: number;
  private readonly releaseGraceMs: number;

  constructor(
    redis: RedisClient,
    readonly storeId: string,
    options: RedisCostBudgetOptions = {},
  ) {
    this.commands = defineLuaCommands(redis, LUA_DIRECTORY, COMMANDS, "holdfastBudget_");
    this.keys = costBudgetKeys(storeId, options.keyPrefix ?? DEFAULT_BUDGET_PREFIX);
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_BUDGET_MAX_WAIT_MS;
    this.restoreSafety = options.restoreSafety ?? 0.98;
    this.reservationTtlMs = options.reservationTtlMs ?? 60_000;
    this.releaseGraceMs = options.releaseGraceMs ?? 10_000;
  }

  async acquire(cost: number, options: { maxWaitMs?: number } = {}): Promise<Reservation> {
    if (!Number.isFinite(cost) || cost < 0) throw new RangeError("cost must be a non-negative number");
    const deadline = Date.now() + (options.maxWaitMs ?? this.maxWaitMs);
    const id = randomUUID();
    for (;;) {
      const [granted, value] = (await this.commands.budgetAcquire(this.keys, [cost, id, this.reservationTtlMs])) as [number, number];
      if (granted === 1) return this.reservation(id, cost);
      if (granted === -1) throw new PlatformError("rejected", `request cost ${cost} exceeds the bucket (${value})`, { code: "cost_exceeds_bucket" });
      if (Date.now() + value > deadline) {
        throw new PlatformError("throttled", `rate budget needs ${value} ms to afford ${cost} points`, { code: "budget_wait", retryAfterMs: value });
      }
      await sleep(value);
    }
  }

  private reservation(id: string, cost: number): Reservation {
    const finish = async (status: BucketStatus | null, answered: boolean) => {
      const transit = (status?.restoreRate ?? 0) * 0.05;
      await this.commands.budgetSettle(this.keys, [
        id,
        !answered ? "lost" : status ? "report" : "answered",
        status?.maximumAvailable ?? 0,
        status?.currentlyAvailable ?? 0,
        (status?.restoreRate ?? 0) * this.restoreSafety,
        transit,
        this.releaseGraceMs,
        24 * 3_600_000,
      ]);
    };
    return { cost, settle: (status) => finish(status, true), release: () => finish(null, false) };
  }
}

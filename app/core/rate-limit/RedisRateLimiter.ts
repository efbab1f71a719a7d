import { fileURLToPath } from "node:url";

import { defineLuaCommands, type LuaCommand } from "../luaScripts.ts";
import type { RedisClient } from "../redis.ts";
import type { RateLimitResult, RateLimitRule } from "./types.ts";
import { assertRateLimitKey, assertRule, secondsUntil } from "./validation.ts";

const LUA_DIRECTORY = fileURLToPath(new URL("./lua/", import.meta.url));
const COMMANDS = { hit: { numberOfKeys: 1 } } as const;
export const DEFAULT_RATE_LIMIT_PREFIX = "hf:rl:";

export interface RedisRateLimiterOptions {
  /** Prepended to every key; tests pass their own to stay isolated. */
  keyPrefix?: string;
}

/**
 * A fixed-window counter shared by every process, for the calls that reach Redis anyway
 * (join, hold). One script per hit: the count and the window's expiry change together.
 * Hits past the limit still count but never extend the window, so a client that keeps
 * hammering is let in again when the window closes, not later.
 */
export class RedisRateLimiter {
  private readonly commands: Record<keyof typeof COMMANDS, LuaCommand>;
  private readonly keyPrefix: string;

  constructor(redis: RedisClient, options: RedisRateLimiterOptions = {}) {
    this.commands = defineLuaCommands(redis, LUA_DIRECTORY, COMMANDS, "holdfastRateLimit_");
    this.keyPrefix = options.keyPrefix ?? DEFAULT_RATE_LIMIT_PREFIX;
  }

  /** Counts one request for `key` (name the rule in it, e.g. `join:ip:203.0.113.7`). */
  async hit(key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    assertRateLimitKey(key);
    assertRule(rule);
    const reply = (await this.commands.hit([`${this.keyPrefix}${key}`], [rule.windowMs])) as [number, number];
    const [count, ttlMs] = reply;
    if (count <= rule.limit) return { allowed: true, retryAfterSeconds: 0, remaining: rule.limit - count };
    return { allowed: false, retryAfterSeconds: secondsUntil(ttlMs), remaining: 0 };
  }
}

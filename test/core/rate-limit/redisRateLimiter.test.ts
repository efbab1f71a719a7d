import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { InvalidInputError } from "../../../app/core/errors/InvalidInputError.ts";
import { RedisRateLimiter } from "../../../app/core/rate-limit/index.ts";
import { connectTestRedis } from "../../support/redis.ts";

const redis = connectTestRedis();
afterAll(() => redis.quit());

let prefix: string;
let limiter: RedisRateLimiter;
beforeEach(() => {
  prefix = `hf:rl:t-${randomBytes(5).toString("hex")}:`;
  limiter = new RedisRateLimiter(redis, { keyPrefix: prefix });
});

const MINUTE = { limit: 3, windowMs: 60_000 };

describe("RedisRateLimiter", () => {
  it("allows exactly `limit` hits in a window, counting down remaining, then refuses with the time left", async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await limiter.hit("join:ip:203.0.113.7", MINUTE));
    expect(results.map((r) => [r.allowed, r.remaining, r.retryAfterSeconds])).toEqual([
      [true, 2, 0],
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 60],
      [false, 0, 60],
    ]);
  });

  it("keeps the count under the prefix with the window as expiry", async () => {
    await limiter.hit("k", MINUTE);
    await limiter.hit("k", MINUTE);
    expect(await redis.get(`${prefix}k`)).toBe("2");
    const ttl = await redis.pttl(`${prefix}k`);
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("opens a new window when the old one closes, and refused hits do not extend it", async () => {
    const rule = { limit: 2, windowMs: 400 };
    await limiter.hit("k", rule);
    await limiter.hit("k", rule);
    await sleep(250);
    expect((await limiter.hit("k", rule)).allowed).toBe(false);
    expect(await redis.pttl(`${prefix}k`)).toBeLessThan(200);
    await sleep(200);
    expect(await limiter.hit("k", rule)).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 1 });
  });

  it("counts keys, and limiters with different prefixes, independently", async () => {
    const rule = { limit: 1, windowMs: 60_000 };
    expect((await limiter.hit("join:ip:a", rule)).allowed).toBe(true);
    expect((await limiter.hit("join:ip:a", rule)).allowed).toBe(false);
    expect((await limiter.hit("join:ip:b", rule)).allowed).toBe(true);
    const other = new RedisRateLimiter(redis, { keyPrefix: `${prefix}other:` });
    expect((await other.hit("join:ip:a", rule)).allowed).toBe(true);
  });

  it("lets exactly `limit` of many concurrent hits through", async () => {
    const rule = { limit: 10, windowMs: 60_000 };
    const results = await Promise.all(Array.from({ length: 50 }, () => limiter.hit("burst", rule)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.filter((r) => r.allowed).map((r) => r.remaining).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("gives a counter found without expiry one, so it cannot block forever", async () => {
    await redis.set(`${prefix}stuck`, "99");
    expect((await limiter.hit("stuck", MINUTE)).allowed).toBe(false);
    expect(await redis.pttl(`${prefix}stuck`)).toBeGreaterThan(0);
  });

  it("refuses empty or oversized keys and nonsensical rules before touching Redis", async () => {
    await expect(limiter.hit("", MINUTE)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(limiter.hit("x".repeat(257), MINUTE)).rejects.toMatchObject({ code: "invalid_rate_limit_key" });
    await expect(limiter.hit("k", { limit: 0, windowMs: 1000 })).rejects.toThrow(RangeError);
    await expect(limiter.hit("k", { limit: 1, windowMs: 0.5 })).rejects.toThrow(RangeError);
    expect(await redis.exists(`${prefix}k`)).toBe(0);
  });
});

import { describe, expect, it } from "vitest";

import { LocalRateLimiter } from "../../../app/core/rate-limit/index.ts";
import { ManualClock } from "../../support/redis.ts";

const rule = { limit: 3, windowMs: 60_000 };
const setup = (maxKeys?: number) => {
  const clock = new ManualClock();
  return { clock, limiter: new LocalRateLimiter({ clock, maxKeys }) };
};

describe("LocalRateLimiter", () => {
  it("allows exactly `limit` hits at once, then refuses until one token has refilled", () => {
    const { clock, limiter } = setup();
    const burst = Array.from({ length: 4 }, () => limiter.hit("status:ip:a", rule));
    expect(burst.map((r) => [r.allowed, r.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    // One token refills every 20 s.
    expect(burst[3]?.retryAfterSeconds).toBe(20);
    clock.advance(19_999);
    expect(limiter.hit("status:ip:a", rule)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(1);
    expect(limiter.hit("status:ip:a", rule)).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 0 });
    expect(limiter.hit("status:ip:a", rule).allowed).toBe(false);
  });

  it("is full again after a whole window and never holds more than `limit`", () => {
    const { clock, limiter } = setup();
    for (let i = 0; i < 3; i++) limiter.hit("k", rule);
    clock.advance(10 * rule.windowMs);
    const again = Array.from({ length: 4 }, () => limiter.hit("k", rule).allowed);
    expect(again).toEqual([true, true, true, false]);
  });

  it("keeps exact counts at drop-scale limits", () => {
    const { clock, limiter } = setup();
    const status = { limit: 6_000, windowMs: 60_000 };
    let allowed = 0;
    for (let i = 0; i < 6_001; i++) if (limiter.hit("k", status).allowed) allowed++;
    expect(allowed).toBe(6_000);
    clock.advance(10);
    expect(limiter.hit("k", status).allowed).toBe(true);
    expect(limiter.hit("k", status).allowed).toBe(false);
  });

  it("limits keys independently", () => {
    const { limiter } = setup();
    const one = { limit: 1, windowMs: 1_000 };
    expect(limiter.hit("a", one).allowed).toBe(true);
    expect(limiter.hit("a", one).allowed).toBe(false);
    expect(limiter.hit("b", one).allowed).toBe(true);
  });

  it("stays within maxKeys by dropping the least recently used bucket", () => {
    const { limiter } = setup(3);
    const one = { limit: 1, windowMs: 60_000 };
    for (const key of ["a", "b", "c"]) limiter.hit(key, one);
    limiter.hit("a", one);
    limiter.hit("d", one);
    expect(limiter.size).toBe(3);
    // "a" was used recently and is still limited; "b" was dropped and starts afresh.
    expect(limiter.hit("a", one).allowed).toBe(false);
    expect(limiter.hit("b", one).allowed).toBe(true);
    expect(limiter.size).toBe(3);
  });

  it("refills nothing when the clock steps back", () => {
    const { clock, limiter } = setup();
    const one = { limit: 1, windowMs: 60_000 };
    limiter.hit("k", one);
    clock.advance(-30_000);
    expect(limiter.hit("k", one)).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
  });
});

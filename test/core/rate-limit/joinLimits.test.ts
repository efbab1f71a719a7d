// The fixed-window counting (includes/countHit.lua) as the storefront uses it: inside the join
// script, which counts the address and session limits and takes a place in one call.
import { randomBytes } from "node:crypto";

import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { joinCounterKeys } from "../../../app/core/keys.ts";
import { WaitingRoom } from "../../../app/core/waiting-room/index.ts";
import { connectTestRedis, uniqueSaleId } from "../../support/redis.ts";
import { RATE_ROOM_SETTINGS } from "../../support/roomSettings.ts";

const redis = connectTestRedis();
const room = new WaitingRoom(redis, { registryKey: `hf:test:joinlimits-${randomBytes(4).toString("hex")}:rooms` });
afterAll(async () => {
  await redis.del(room.registryKey);
  await redis.quit();
});

const SETTINGS = RATE_ROOM_SETTINGS;
const UNLIMITED = { limit: 1_000_000, windowMs: 60_000 };
let sale: string;
beforeEach(async () => {
  sale = uniqueSaleId("limits");
  await room.configure(sale, SETTINGS);
  await room.transition(sale, "live");
});

const byAddress = (limit: number, windowMs: number, session = `s-${randomBytes(6).toString("hex")}`) =>
  room.join(sale, session, { address: "203.0.113.7", perAddress: { limit, windowMs }, perSession: UNLIMITED });

describe("join limits counted in the join script", () => {
  // No duration decides an outcome: the window (far longer than any stall) is seen to close in
  // Redis, and the refused join is checked not to have extended it by its remaining time.
  it("opens a new window when the old one closes, and refused joins do not extend it or take places", async () => {
    const window = joinCounterKeys(sale, "203.0.113.7", "-").address;
    expect((await byAddress(2, 3_000)).outcome).toBe("queue");
    expect((await byAddress(2, 3_000)).outcome).toBe("queue");
    const remaining = await redis.pttl(window);
    expect((await byAddress(2, 3_000)).outcome).toBe("limited");
    expect(await redis.pttl(window)).toBeLessThanOrEqual(remaining);
    await expect.poll(() => redis.exists(window), { timeout: 30_000, interval: 100 }).toBe(0);
    expect(await byAddress(2, 3_000)).toEqual({ outcome: "queue", number: 3 });
  });

  it("lets exactly `limit` of many concurrent joins through", async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => byAddress(10, 60_000)));
    expect(results.filter((result) => result.outcome === "queue")).toHaveLength(10);
    expect((await room.view(sale))?.issued).toBe(10);
  });

  it("gives a counter found without expiry one, so it cannot block forever", async () => {
    await redis.set(joinCounterKeys(sale, "203.0.113.7", "-").address, "99");
    expect((await byAddress(3, 60_000)).outcome).toBe("limited");
    expect(await redis.pttl(joinCounterKeys(sale, "203.0.113.7", "-").address)).toBeGreaterThan(0);
  });
});

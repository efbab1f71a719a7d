import { setTimeout as sleep } from "node:timers/promises";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { PlatformError } from "../../../app/core/platform/index.ts";
import { BreakerRegistry, CostBudget, isBreakerOpen } from "../../../app/core/resilience/index.ts";
import { ShopifyPlatform, stockRef } from "../../../app/platforms/shopify/index.ts";
import { SHOP, shopifyRig, TOKEN, type Rig } from "../../support/shopify/adapter.ts";
import { gid } from "../../support/shopify/standIn.ts";

let rig: Rig;
let registry: BreakerRegistry;
let platform: ShopifyPlatform;
const transitions: string[] = [];

beforeEach(async () => {
  rig = await shopifyRig({ maximumAvailable: 1000, restoreRate: 100 });
  rig.shop.stock({ item: 1, location: 1, available: 10 });
  build();
});

/** As a worker builds it: the shop's policy from the registry, a budget for the shop. */
function build(timeoutMs = 2_000): void {
  registry = new BreakerRegistry({
    timeoutMs,
    retries: 2,
    backoff: { initialDelayMs: 5, maxDelayMs: 50 },
    breaker: { consecutiveFailures: 4, halfOpenAfterMs: 250 },
  });
  transitions.length = 0;
  registry.onStateChange(({ state }) => transitions.push(state));
  platform = new ShopifyPlatform({
    shopDomain: SHOP,
    accessToken: TOKEN,
    fetchApi: rig.standIn.fetch,
    policy: registry.for(SHOP, "shopify"),
    budget: new CostBudget(),
  });
}
afterEach(() => rig.close());

const ref = stockRef({ inventoryItemId: gid("InventoryItem", 1), locationId: gid("Location", 1) });

/**
 * What a queue worker does with a job: run it; when the breaker is open, put it back for
 * retryAfterMs (here: sleep) without touching the platform; retry other transient failures.
 */
async function runJob(work: () => Promise<void>): Promise<{ deferrals: number; attempts: number }> {
  let deferrals = 0;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      await work();
      return { deferrals, attempts };
    } catch (error) {
      if (isBreakerOpen(error)) {
        deferrals++;
        await sleep((error as PlatformError).details.retryAfterMs ?? 100);
      } else if (error instanceof PlatformError && (error.kind === "unavailable" || error.kind === "throttled")) {
        await sleep(20);
      } else {
        throw error;
      }
      if (attempts > 50) throw new Error("job never completed");
    }
  }
}

describe("the resilience policy around the Shopify adapter", () => {
  it("rides out a blip with retries: the breaker stays closed", async () => {
    rig.shop.failNext(2, "http503");
    await platform.writeStock([{ ref, available: 4, previous: 10 }], "blip-1");
    expect(rig.shop.level(1, 1)?.available).toBe(4);
    expect(rig.shop.stats).toMatchObject({ failed: 2, requests: 3 });
    expect(transitions).toEqual([]);
  });

  it("an outage opens the breaker, the job is deferred without calling Shopify, then the breaker half-opens, closes and the work completes once", async () => {
    rig.shop.failFor(700, "http500");
    let requestsWhileOpen = -1;
    const unsubscribe = registry.onStateChange(({ state }) => {
      if (state === "open") requestsWhileOpen = rig.shop.stats.requests;
    });
    const { deferrals } = await runJob(() => platform.writeStock([{ ref, available: 3, previous: 10 }], "outage-1"));
    unsubscribe();

    expect(rig.shop.level(1, 1)?.available).toBe(3);
    expect(deferrals).toBeGreaterThan(0);
    expect(transitions[0]).toBe("open");
    expect(transitions.at(-1)).toBe("closed");
    expect(transitions).toContain("half-open");
    expect(registry.snapshot()).toEqual([{ storeId: SHOP, platform: "shopify", state: "closed", retryAfterMs: 0 }]);
    // While open nothing is sent: each open spell costs one test call at most, not a retry storm.
    const opens = transitions.filter((state) => state === "open").length;
    expect(rig.shop.stats.failed).toBeLessThanOrEqual(4 + opens);
    expect(requestsWhileOpen).toBeGreaterThan(0);
  });

  it("counts timeouts as failures: a hanging shop opens the breaker too, and reads resume after", async () => {
    build(250);
    rig.shop.failFor(1_500, "timeout");
    // Not a hang: each attempt ends at its own deadline (the code says so), whatever the machine's speed.
    const first = await platform.readStock([ref]).catch((error: unknown) => error);
    expect(first).toMatchObject({ kind: "unavailable", details: { code: "timeout" } });
    const second = await platform.readStock([ref]).catch((error: unknown) => error);
    expect(isBreakerOpen(second)).toBe(true);
    const { deferrals } = await runJob(async () => {
      expect(await platform.readStock([ref])).toEqual([{ ref, available: 10 }]);
    });
    expect(deferrals).toBeGreaterThanOrEqual(0);
    expect(transitions.at(-1)).toBe("closed");
  });

  it("does not trip on refusals: a stale compare is the caller's to handle, the breaker stays closed", async () => {
    rig.shop.level(1, 1)!.available = 9;
    for (let i = 0; i < 6; i++) {
      await expect(platform.writeStock([{ ref, available: 3, previous: 10 }], `stale-${i}`)).rejects.toMatchObject({ kind: "conflict" });
    }
    expect(registry.for(SHOP, "shopify").state).toBe("closed");
    expect(rig.shop.stats.requests).toBe(6); // conflicts are not retried blindly
  });
});

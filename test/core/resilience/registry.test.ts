import { describe, expect, it } from "vitest";

import { PlatformError } from "../../../app/core/platform/index.ts";
import { BreakerRegistry } from "../../../app/core/resilience/index.ts";

describe("BreakerRegistry", () => {
  it("keeps one policy per (store, platform), so one store's outage leaves the others alone", async () => {
    const registry = new BreakerRegistry({ retries: 0, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } });
    const a = registry.for("store-a", "shopify");
    expect(registry.for("store-a", "shopify")).toBe(a);
    expect(registry.for("store-a", "woocommerce")).not.toBe(a);
    expect(registry.for("store-b", "shopify")).not.toBe(a);

    const changes: unknown[] = [];
    registry.onStateChange((change) => changes.push(change));
    for (let i = 0; i < 2; i++) await a.execute(async () => Promise.reject(new PlatformError("unavailable", "down"))).catch(() => undefined);

    expect(await registry.for("store-b", "shopify").execute(async () => "fine")).toBe("fine");
    expect(changes).toEqual([{ storeId: "store-a", platform: "shopify", state: "open" }]);
    const snapshot = registry.snapshot();
    expect(snapshot.map(({ storeId, platform, state }) => ({ storeId, platform, state }))).toEqual([
      { storeId: "store-a", platform: "shopify", state: "open" },
      { storeId: "store-a", platform: "woocommerce", state: "closed" },
      { storeId: "store-b", platform: "shopify", state: "closed" },
    ]);
    expect(snapshot[0]!.retryAfterMs).toBeGreaterThan(59_000);
    expect(snapshot[1]!.retryAfterMs).toBe(0);
  });
});

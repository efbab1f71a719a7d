import { afterAll, beforeAll, expect, it } from "vitest";

import { silentLogger } from "../../../app/core/logger.ts";
import { AdmissionController } from "../../../app/core/waiting-room/index.ts";
import { connectTestRedis } from "../../support/redis.ts";
import { Shopper, startStorefront, type Storefront } from "../../support/storefront.ts";
import { expectInvariant } from "../../core/inventory/invariant.ts";

const SHOPPERS = 2_000;
const UNITS = 300;

let shop: Storefront;
beforeAll(async () => {
  // One test machine is one address: lift the per-address limit as for a crowd behind one NAT.
  // The server's slow-client timeouts (a 408 after 5 s without headers) are not under test
  // here, and a loaded test machine can take that long to read one of 2,000 requests.
  shop = await startStorefront({
    rules: { joinPerAddress: { limit: 100_000, windowMs: 60_000 } },
    viewFreshMs: 50,
    timeouts: { headersMs: 240_000, requestMs: 240_000, checkEveryMs: 1_000 },
  });
});
afterAll(() => shop.close());

it(`never oversells when ${SHOPPERS} shoppers join, wait for their turn and hold at once`, async () => {
  const saleId = await shop.createSale({ mode: "rate+capacity", perMinute: 60_000, maxActive: 1_000, items: { hot: UNITS } });
  const redis = connectTestRedis();
  const controller = new AdmissionController(redis, shop.deps.room, { logger: silentLogger, tickMs: 50 });
  controller.start();
  try {
    const outcomes = await Promise.all(
      Array.from({ length: SHOPPERS }, async () => {
        const shopper = new Shopper(shop.base, saleId);
        expect((await shopper.join()).status).toBe(201);
        // Polls until the shopper's turn or the end of stock, however long a loaded machine
        // takes: the test's own timeout is the only bound, so a slow run never counts as a failure.
        for (;;) {
          const status = await shopper.status();
          if (status.body.state === "soldout") return "soldout";
          if (status.body.state === "admitted") {
            const hold = await shopper.hold([{ itemId: "hot", quantity: 1 }], { pass: String(status.body.pass) });
            if (hold.status === 201) return "held";
            expect(hold.body).toMatchObject({ error: { code: "sold_out" } });
            return "sold_out";
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }),
    );
    const held = outcomes.filter((outcome) => outcome === "held").length;
    expect(held).toBe(UNITS);
    const snapshot = await shop.deps.holds.snapshot(saleId);
    expectInvariant(snapshot);
    expect(snapshot?.items.hot).toEqual({ allocated: UNITS, available: 0, held: UNITS, sold: 0 });
  } finally {
    await controller.stop();
    await redis.quit();
  }
}, 300_000);

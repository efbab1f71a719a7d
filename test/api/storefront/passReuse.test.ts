import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Shopper, startStorefront, type Storefront } from "../../support/storefront.ts";

// Issue #12, failure 1: one waiting-room pass bought many holds. A replayed request id after
// the hold ended answered 409 and gave the pass back, so a new request id spent it again.

let shop: Storefront;
beforeAll(async () => {
  shop = await startStorefront();
});
afterAll(() => shop.close());

async function admittedShopper(saleId: string): Promise<{ shopper: Shopper; pass: string }> {
  const shopper = new Shopper(shop.base, saleId);
  expect((await shopper.join()).status).toBe(201);
  await shop.admitThrough(saleId, 1);
  const status = await shopper.status();
  expect(status.body).toMatchObject({ state: "admitted" });
  return { shopper, pass: String(status.body.pass) };
}

const heldUnits = async (saleId: string) => (await shop.deps.holds.snapshot(saleId))?.items.shoe;

describe("one pass, one hold", () => {
  it("a released hold's pass stays spent: the replay answers 409 and a new request id is refused", async () => {
    const saleId = await shop.createSale({ mode: "rate", perMinute: 600, items: { shoe: 20 } });
    const { shopper, pass } = await admittedShopper(saleId);
    const line = [{ itemId: "shoe", quantity: 1 }];

    const first = await shopper.hold(line, { pass, requestId: "pass-reuse-1" });
    expect(first.status).toBe(201);
    // The loop the attack ran: release, replay the old id, then try a fresh one. Each round
    // must end in a refusal, never a second hold.
    expect((await shopper.request("DELETE", `/v1/holds/${String(first.body.holdId)}`, { bearer: String(first.body.token) })).status).toBe(204);
    for (let round = 0; round < 3; round++) {
      expect(await shopper.hold(line, { pass, requestId: "pass-reuse-1" })).toMatchObject({ status: 409, body: { error: { code: "request_already_used" } } });
      const fresh = await shopper.hold(line, { pass, requestId: `pass-reuse-new-${round}` });
      expect(fresh).toMatchObject({ status: 403, body: { error: { code: "pass_used" } } });
    }
    expect(await heldUnits(saleId)).toMatchObject({ held: 0, available: 20 });
  });

  it("a checked-out hold's pass stays spent too", async () => {
    const saleId = await shop.createSale({ mode: "rate", perMinute: 600, items: { shoe: 20 } });
    const { shopper, pass } = await admittedShopper(saleId);
    const line = [{ itemId: "shoe", quantity: 1 }];
    const first = await shopper.hold(line, { pass, requestId: "pass-checkout-1" });
    expect(first.status).toBe(201);
    // What the checkout worker does with a paid hold: commit it to the order.
    expect(await shop.deps.holds.commit(saleId, String(first.body.holdId), "order-pass-1")).toMatchObject({ outcome: "committed" });

    expect(await shopper.hold(line, { pass, requestId: "pass-checkout-1" })).toMatchObject({ status: 409, body: { error: { code: "request_already_used" } } });
    expect(await shopper.hold(line, { pass, requestId: "pass-checkout-2" })).toMatchObject({ status: 403, body: { error: { code: "pass_used" } } });
    expect(await heldUnits(saleId)).toMatchObject({ held: 0, sold: 1, available: 19 });
  });

  it("a refusal by the rate limit on a replay does not give the pass back either", async () => {
    const limited = await startStorefront({ rules: { holdPerSession: { limit: 2, windowMs: 60_000 } } });
    try {
      const saleId = await limited.createSale({ mode: "rate", perMinute: 600, items: { shoe: 20 } });
      const shopper = new Shopper(limited.base, saleId);
      await shopper.join();
      await limited.admitThrough(saleId, 1);
      const pass = String((await shopper.status()).body.pass);
      const line = [{ itemId: "shoe", quantity: 1 }];
      const first = await shopper.hold(line, { pass, requestId: "pass-limit-1" });
      expect(first.status).toBe(201);
      expect((await shopper.request("DELETE", `/v1/holds/${String(first.body.holdId)}`, { bearer: String(first.body.token) })).status).toBe(204);
      expect((await shopper.hold(line, { pass, requestId: "pass-limit-1" })).status).toBe(409);
      // Third request in the window: refused by the per-session count before the replay is seen.
      expect((await shopper.hold(line, { pass, requestId: "pass-limit-1" })).status).toBe(429);
      expect(await shopper.hold(line, { pass, requestId: "pass-limit-2" })).toMatchObject({ status: 403, body: { error: { code: "pass_used" } } });
    } finally {
      await limited.close();
    }
  });
});

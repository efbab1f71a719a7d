import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Shopper, startStorefront, type Storefront } from "../../support/storefront.ts";

// Issue #12, failure 7: with admission off, 25 sessions from one address held all 50 units:
// holds were limited per session only, and sessions cost nothing to make.

const PER_ADDRESS = 10;
let shop: Storefront;
beforeAll(async () => {
  // The test client is the "load balancer" 127.0.0.1: X-Forwarded-For is believed from it only.
  shop = await startStorefront({ rules: { holdUnitsPerAddress: PER_ADDRESS }, trustedProxies: ["127.0.0.1"] });
});
afterAll(() => shop.close());

const from = (shopper: Shopper, address: string) => (lines: { itemId: string; quantity: number }[]) =>
  shopper.request("POST", `/v1/sales/${shopper.saleId}/holds`, {
    body: { lines, requestId: randomBytes(8).toString("hex") },
    headers: { "x-forwarded-for": address },
  });

describe("holds per client address", () => {
  it("25 sessions from one address cannot hold all 50 units; other addresses still can", async () => {
    const saleId = await shop.createSale({ items: { shoe: 50 }, perCustomerLimit: 2 });
    const answers = [];
    for (let i = 0; i < 25; i++) answers.push(await from(new Shopper(shop.base, saleId), "203.0.113.7")([{ itemId: "shoe", quantity: 2 }]));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(PER_ADDRESS / 2);
    expect(answers.filter((answer) => answer.status === 422).map((answer) => (answer.body.error as { code: string }).code)).toEqual(
      Array(25 - PER_ADDRESS / 2).fill("address_limit_exceeded"),
    );
    expect((await shop.deps.holds.snapshot(saleId))?.items.shoe).toMatchObject({ held: PER_ADDRESS, available: 50 - PER_ADDRESS });

    // Another address is not affected; releasing a hold gives the address its allowance back.
    expect((await from(new Shopper(shop.base, saleId), "198.51.100.4")([{ itemId: "shoe", quantity: 2 }])).status).toBe(201);
    const first = answers.find((answer) => answer.status === 201)!;
    const releaser = new Shopper(shop.base, saleId);
    expect((await releaser.request("DELETE", `/v1/holds/${String(first.body.holdId)}`, { bearer: String(first.body.token) })).status).toBe(204);
    expect((await from(new Shopper(shop.base, saleId), "203.0.113.7")([{ itemId: "shoe", quantity: 2 }])).status).toBe(201);
  });

  it("counts an IPv6 client per /64: rotating addresses inside it does not help", async () => {
    const saleId = await shop.createSale({ items: { shoe: 50 }, perCustomerLimit: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await from(new Shopper(shop.base, saleId), `2001:db8:1:2::${(i + 1).toString(16)}`)([{ itemId: "shoe", quantity: 2 }])).status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(PER_ADDRESS / 2);
    expect((await from(new Shopper(shop.base, saleId), "2001:db8:1:3::1")([{ itemId: "shoe", quantity: 2 }])).status).toBe(201);
  });

  it("believes X-Forwarded-For only from a trusted proxy: behind none, the connection's address counts", async () => {
    const untrusting = await startStorefront({ rules: { holdUnitsPerAddress: 4 } });
    try {
      const saleId = await untrusting.createSale({ items: { shoe: 50 }, perCustomerLimit: 2 });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const shopper = new Shopper(untrusting.base, saleId);
        // Each claims another address; all come from 127.0.0.1, which is what counts.
        statuses.push((await from(shopper, `192.0.2.${i + 1}`)([{ itemId: "shoe", quantity: 2 }])).status);
      }
      expect(statuses).toEqual([201, 201, 422, 422]);
    } finally {
      await untrusting.close();
    }
  });
});

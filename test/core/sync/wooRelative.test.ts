// The write-back to a WooCommerce store with the Holdfast plugin connected: after the first
// (absolute) write, each flush sends the change from what WooCommerce was last known to hold,
// so a sale WooCommerce made in the meantime is kept, not overwritten.
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { SyncHarness } from "./harness.ts";

let harness: SyncHarness;

beforeAll(async () => {
  harness = await SyncHarness.create("woorel", { wooConnectorSecret: randomBytes(32).toString("base64url") });
});

afterAll(async () => {
  await harness.close();
});

describe("write-back through the plugin's relative endpoint", () => {
  it("keeps a WooCommerce sale made between the last write and the next flush", async () => {
    const sale = await harness.createSale("woocommerce", 1, 20, 0);
    const [item] = sale.items;
    // First flush: nothing known about the platform yet, so an absolute write.
    expect(await harness.writeBack.flushSale(sale.saleId)).toMatchObject({ outcome: "written", calls: 1 });
    expect(harness.woo.stockOf(item!.ref)).toBe(20);
    expect(harness.woo.callsTo("POST", /^\/products\/batch$/)).toHaveLength(1);

    // Holdfast's count drops by 3 (a merchant correction here; holds and orders move it the same way)...
    await harness.holds.adjust(sale.saleId, item!.itemId, -3);
    // ...while WooCommerce sells 2 on its own before the flush runs.
    harness.woo.sell(item!.ref, 2);
    expect(await harness.writeBack.flushSale(sale.saleId)).toMatchObject({ outcome: "written", calls: 1 });
    // An absolute write would show 17 and make the 2 sold units sellable again.
    expect(harness.woo.stockOf(item!.ref)).toBe(15);
    expect(harness.woo.callsTo("POST", /^\/holdfast\/v1\/stock\/adjust$/)).toHaveLength(1);
    expect(harness.woo.callsTo("POST", /^\/products\/batch$/)).toHaveLength(1);
  });
});

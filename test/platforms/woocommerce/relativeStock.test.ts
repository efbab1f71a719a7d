// Stock write-back to WooCommerce while WooCommerce sells on its own: absolute stock_quantity
// writes (REST v3) against relative changes through the Holdfast plugin's endpoint. Each round
// is the race the write-back cannot avoid: the core read the stock (previous), Holdfast sold
// some units, WooCommerce sold others before the write landed. Prints what each approach lost.
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { WooBatchItemsError, WooCommercePlatform } from "../../../app/platforms/woocommerce/index.ts";
import { startWooStandIn, type WooStandIn } from "../../support/woocommerce/index.ts";

const SECRET = randomBytes(32).toString("base64url");
let wc: WooStandIn;

beforeAll(async () => {
  wc = await startWooStandIn({ holdfastConnectorSecret: SECRET });
});
afterAll(async () => {
  await wc?.close();
});

const absolute = () => new WooCommercePlatform({ url: wc.url, consumerKey: wc.consumerKey, consumerSecret: wc.consumerSecret, timeoutMs: 2_000 });
const relative = (secret = SECRET) =>
  new WooCommercePlatform({ url: wc.url, consumerKey: wc.consumerKey, consumerSecret: wc.consumerSecret, timeoutMs: 2_000, connectorSecret: secret });

/** Rounds of: core saw `seen`, Holdfast sold h, WooCommerce sold w meanwhile, then the write. Returns units WooCommerce sold that the write erased. */
async function race(platform: WooCommercePlatform, ref: string, rounds: number): Promise<{ lost: number; sold: number; msPerWrite: number }> {
  let lost = 0;
  let sold = 0;
  let writingMs = 0;
  for (let round = 0; round < rounds; round += 1) {
    const seen = wc.stockOf(ref) as number;
    const holdfastSold = 1 + (round % 3);
    const wooSold = round % 2;
    wc.sell(ref, wooSold);
    sold += wooSold;
    const started = performance.now();
    await platform.writeStock([{ ref, available: seen - holdfastSold, previous: seen }], `hf-wb-race-${randomBytes(6).toString("hex")}`);
    writingMs += performance.now() - started;
    lost += (wc.stockOf(ref) as number) - (seen - holdfastSold - wooSold);
  }
  return { lost, sold, msPerWrite: writingMs / rounds };
}

describe("WooCommerce stock write-back with concurrent WooCommerce sales", () => {
  it("absolute writes erase WooCommerce's own sales; relative changes through the plugin keep every one", async () => {
    const rounds = 60;
    const a = wc.addProduct({ stock: 10_000 });
    const r = wc.addProduct({ stock: 10_000 });
    const abs = await race(absolute(), String(a), rounds);
    const rel = await race(relative(), String(r), rounds);
    // The figures the report quotes: units WooCommerce sold that the write-back made sellable again.
    console.log(
      `[relative-stock] ${rounds} rounds, WooCommerce sold ${abs.sold} units meanwhile: absolute writes lost ${abs.lost} (${abs.msPerWrite.toFixed(1)} ms/write), relative lost ${rel.lost} (${rel.msPerWrite.toFixed(1)} ms/write)`,
    );
    expect(abs.lost).toBe(abs.sold);
    expect(rel.lost).toBe(0);
    expect(wc.callsTo("POST", /^\/holdfast\/v1\/stock\/adjust$/)).toHaveLength(rounds);
  });

  it("a write retried after its answer was lost is applied once", async () => {
    const ref = String(wc.addProduct({ stock: 20 }));
    wc.fail({ loseAnswer: true }, { route: /^\/holdfast\/v1\/stock\/adjust$/, times: 1 });
    const platform = relative();
    await expect(platform.writeStock([{ ref, available: 15, previous: 20 }], "hf-wb-lost-1")).rejects.toMatchObject({ kind: "unavailable" });
    expect(wc.stockOf(ref)).toBe(15);
    await platform.writeStock([{ ref, available: 15, previous: 20 }], "hf-wb-lost-1");
    expect(wc.stockOf(ref)).toBe(15);
  });

  it("falls back to an absolute write when there is no base to change from, and refuses per item what the plugin refuses", async () => {
    const { productId, variationIds } = wc.addVariableProduct([{ stock: 8 }]);
    const ref = `${productId}:${variationIds[0]}`;
    await relative().writeStock([{ ref, available: 5, previous: null }], "hf-wb-first");
    expect(wc.stockOf(ref)).toBe(5);
    expect(wc.callsTo("POST", new RegExp(`^/products/${productId}/variations/batch$`))).toHaveLength(1);
    const error = await relative()
      .writeStock([{ ref: "999999", available: 1, previous: 2 }], "hf-wb-missing")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WooBatchItemsError);
    expect((error as WooBatchItemsError).failures).toEqual([expect.objectContaining({ ref: "999999", kind: "not_found" })]);
  });

  it("a write signed with another secret is refused and changes nothing", async () => {
    const ref = String(wc.addProduct({ stock: 7 }));
    await expect(relative(randomBytes(32).toString("base64url")).writeStock([{ ref, available: 0, previous: 7 }], "hf-wb-forged")).rejects.toMatchObject({
      kind: "unauthorized",
    });
    expect(wc.stockOf(ref)).toBe(7);
  });
});

// The app installs and maintains the checkout gate through the Admin stand-in (every document
// validated against the offline 2026-04 schema, variables coerced as Shopify would): the
// validation is created once, blocking; its metafield follows each save, start, pause, end
// and key rotation; and the function, run on what the app wrote, refuses a skipped line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { action as liveAction } from "../../../app/routes/app.drops.$id_.live.tsx";
import { action as newAction } from "../../../app/routes/app.drops.new.tsx";
import { loader as readinessLoader } from "../../../app/routes/app.drops.$id_.readiness.tsx";
import { publishDeps } from "../../../app/drops/context.server.ts";
import { publishShopDrops } from "../../../app/drops/gate/publish.server.ts";
import { publishAfterTransition } from "../../../app/drops/gate/scheduledPublish.server.ts";
import { saveStore } from "../../../app/stores/directory.server.ts";
import { ShopifyTokenKeeper } from "../../../app/stores/shopifyTokens.server.ts";
import { silentLogger } from "../../../app/core/logger.ts";
import { openKeyring, rotate, sealKeyring } from "../../../app/core/secrets/signingKeys.ts";
import { SqlKeyringSource } from "../../../app/stores/keyrings.server.ts";
import type { DropFormValues } from "../../../app/components/dropForm.ts";
import { parseGateConfig, type GateConfig } from "../../../extensions/checkout-gate/src/config.ts";
import { run } from "../../../extensions/checkout-gate/src/run.ts";
import { expectConformingInput, gateInput, holdToken } from "../../extensions/checkoutGate/gateInput.ts";
import { startEmbedded, shopFixture, type EmbeddedHarness } from "./support/embedded.ts";

const stamp = Date.now().toString(36);
const SHOP = `gate-${stamp}.myshopify.com`;
const UNDEPLOYED = `gate-undeployed-${stamp}.myshopify.com`;
const REF_101 = "gid://shopify/InventoryItem/1001@gid://shopify/Location/1";
let h: EmbeddedHarness;

beforeAll(async () => {
  h = await startEmbedded([shopFixture(SHOP), shopFixture(UNDEPLOYED, { functionHandles: [] })]);
});
afterAll(() => h?.close());

const args = (request: Request, params: Record<string, string> = {}) => ({ request, context: h.context, params });

function dropForm(overrides: Partial<DropFormValues> = {}): DropFormValues {
  return {
    name: "Gate drop",
    timeZone: "Europe/Berlin",
    startsAt: "2030-01-15T18:00",
    endsAt: "",
    prequeueMinutes: "0",
    holdMinutes: "10",
    perCustomerLimit: "2",
    admissionMode: "off",
    perMinute: "",
    maxActive: "",
    bypassPolicy: "flag",
    failPolicy: "auto",
    holdsThroughStoreOnly: false,
    items: [{ title: "Sneaker - 42", allocation: "30", platformRef: REF_101 }],
    ...overrides,
  };
}

async function createDrop(shop: string, overrides: Partial<DropFormValues> = {}): Promise<string> {
  const request = h.request(shop, "/app/drops/new", {
    method: "POST",
    body: JSON.stringify(dropForm(overrides)),
    headers: { "content-type": "application/json" },
  });
  const response = (await newAction(args(request))) as Response;
  expect(response.status, await response.clone().text()).toBe(302);
  return /\/app\/drops\/([A-Za-z0-9]+)\/live/.exec(response.headers.get("location") ?? "")?.[1] as string;
}

async function control(shop: string, id: string, intent: string): Promise<void> {
  const response = (await liveAction(
    args(h.request(shop, `/app/drops/${id}/live`, { method: "POST", body: new URLSearchParams({ intent }) }), { id }),
  )) as Response;
  expect(response.status, await response.clone().text()).toBe(200);
}

const gates = (shop: string) => (h.standIn.shop(shop).validations ?? []).filter((validation) => validation.functionHandle === "checkout-gate");
const gateConfigOf = (shop: string): GateConfig => parseGateConfig(JSON.parse(gates(shop)[0]?.metafields["$app:holdfast.gate"]?.value ?? "null")) as GateConfig;
const storefront = (shop: string) => JSON.parse(h.standIn.shop(shop).appMetafields?.["holdfast.drop"] ?? "null") as { drops: { sale: string; fail: string }[] };

async function gateCheck(shop: string) {
  const readiness = (await (await readinessLoader(args(h.request(shop, "/app/drops/x/readiness"), { id: currentDrop }))).json()) as {
    checks: { id: string; status: string; detail: string }[];
  };
  return readiness.checks.find((check) => check.id === "checkoutGate");
}
let currentDrop = "";

describe("the checkout gate's installation", () => {
  it("is created on the first drop saved: enabled, blocking on failure, ours, configured with the store's keys", async () => {
    currentDrop = await createDrop(SHOP);
    expect(gates(SHOP)).toHaveLength(1);
    expect(gates(SHOP)[0]).toMatchObject({ enabled: true, blockOnFailure: true, appKey: h.apiKey, title: "Holdfast checkout gate" });
    const { sale } = await h.sales.service.get(currentDrop);
    const keyring = await new SqlKeyringSource(h.sales.db, (h.context.holdfast.masterKey as { key: Buffer }).key).forStore(sale.storeId);
    expect(gateConfigOf(SHOP)).toEqual({ v: 1, k: { [keyring.current.kid]: keyring.current.secret.toString("base64url") }, d: [] });
    expect(await gateCheck(SHOP)).toMatchObject({ status: "pass", detail: expect.stringMatching(/from the moment the drop starts/) });
    // A second save reuses it.
    await createDrop(SHOP);
    expect(gates(SHOP)).toHaveLength(1);
  });

  it("follows start, pause and end: the gate guards a running drop, fail-closed, and forgets it at once when it ends", async () => {
    const { sale } = await h.sales.service.get(currentDrop);
    const itemId = sale.items[0]!.id;
    await control(SHOP, currentDrop, "start");
    expect(gateConfigOf(SHOP).d).toEqual([{ s: currentDrop, f: "closed", i: { "101": itemId } }]);
    expect(storefront(SHOP).drops).toContainEqual(expect.objectContaining({ sale: currentDrop, fail: "closed" }));
    expect(await gateCheck(SHOP)).toMatchObject({ status: "pass", detail: expect.stringMatching(/^Active/) });

    // The function, on what the app wrote: a skipped line is refused, a held one passes.
    const keyring = await new SqlKeyringSource(h.sales.db, (h.context.holdfast.masterKey as { key: Buffer }).key).forStore(sale.storeId);
    const skipped = gateInput([{ variant: 101, quantity: 1 }], gateConfigOf(SHOP));
    await expectConformingInput(skipped);
    expect(run(skipped).operations[0]?.validationAdd.errors).toEqual([{ target: "$.cart.lines[0].quantity", message: expect.stringMatching(/waiting room/) }]);
    const held = gateInput([{ variant: 101, quantity: 1, token: holdToken(keyring, currentDrop, [{ i: itemId, q: 1 }]) }], gateConfigOf(SHOP));
    expect(run(held)).toEqual({ operations: [] });

    await control(SHOP, currentDrop, "pause");
    expect(gateConfigOf(SHOP).d.map((drop) => drop.s)).toEqual([currentDrop]);
    await control(SHOP, currentDrop, "end");
    expect(gateConfigOf(SHOP).d).toEqual([]);
    expect(storefront(SHOP).drops.map((drop) => drop.sale)).not.toContain(currentDrop);
    expect(run(gateInput([{ variant: 101, quantity: 1 }], gateConfigOf(SHOP)))).toEqual({ operations: [] });
  });

  it("writes every key still valid after a rotation, so holds signed before it keep passing", async () => {
    const { sale } = await h.sales.service.get(currentDrop);
    const masterKey = (h.context.holdfast.masterKey as { key: Buffer }).key;
    const store = await h.sales.db.store.findUniqueOrThrow({ where: { id: sale.storeId as string } });
    const before = openKeyring(store.signingKeysCiphertext as string, masterKey);
    const after = rotate(before);
    await h.sales.db.store.update({ where: { id: store.id }, data: { signingKeysCiphertext: sealKeyring(after, masterKey) } });
    await publishShopDrops(h.admin(SHOP), publishDeps(h.context), store.id);
    expect(Object.keys(gateConfigOf(SHOP).k).sort()).toEqual([before.current.kid, after.current.kid].sort());
  });

  it("follows a scheduled start and end with the store's offline token, no merchant request involved", async () => {
    const masterKey = (h.context.holdfast.masterKey as { key: Buffer }).key;
    await saveStore(h.sales.db, masterKey, {
      platform: "shopify",
      domain: SHOP,
      name: "Gate shop",
      credentials: { accessToken: h.standIn.shop(SHOP).accessToken },
    });
    const id = await createDrop(SHOP);
    const tokens = new ShopifyTokenKeeper({ db: h.sales.db, masterKey, redis: h.sales.redis, app: null });
    const deps = { sales: h.sales.service, db: h.sales.db, masterKey, appKey: h.apiKey, logger: silentLogger, tokens };
    // What the sale-lifecycle worker does at the start time: the transition, then the publish.
    await h.sales.service.transition(id, "start");
    expect(gateConfigOf(SHOP).d.map((drop) => drop.s)).not.toContain(id);
    expect(await publishAfterTransition(deps, id)).toBe(true);
    expect(gateConfigOf(SHOP).d.map((drop) => drop.s)).toContain(id);
    await h.sales.service.transition(id, "end");
    expect(await publishAfterTransition(deps, id)).toBe(true);
    expect(gateConfigOf(SHOP).d.map((drop) => drop.s)).not.toContain(id);
    expect(storefront(SHOP).drops.map((drop) => drop.sale)).not.toContain(id);
  });

  it("publishes the fail policy the merchant chose for a drop, to the widget and to the gate", async () => {
    const id = await createDrop(SHOP, { failPolicy: "open" });
    expect((await h.sales.service.get(id)).sale.failPolicy).toBe("open");
    expect(storefront(SHOP).drops).toContainEqual(expect.objectContaining({ sale: id, fail: "open" }));
    await control(SHOP, id, "start");
    expect(gateConfigOf(SHOP).d).toContainEqual(expect.objectContaining({ s: id, f: "open" }));
    // The function then lets a tokenless line of that drop through; order-time enforcement takes it from there.
    expect(run(gateInput([{ variant: 101, quantity: 1 }], { ...gateConfigOf(SHOP), d: gateConfigOf(SHOP).d.filter((drop) => drop.s === id) }))).toEqual({
      operations: [],
    });
    await control(SHOP, id, "end");
  });

  it("never turns back on a gate the merchant turned off, and the checklist says so", async () => {
    gates(SHOP)[0]!.enabled = false;
    await createDrop(SHOP);
    expect(gates(SHOP)).toHaveLength(1);
    expect(gates(SHOP)[0]!.enabled).toBe(false);
    expect(await gateCheck(SHOP)).toMatchObject({ status: "fail", detail: expect.stringMatching(/turned off/) });
    gates(SHOP)[0]!.enabled = true;
  });

  it("saves the drop when the function is not deployed, and the checklist says what to do", async () => {
    currentDrop = await createDrop(UNDEPLOYED);
    expect(h.standIn.shop(UNDEPLOYED).validations ?? []).toEqual([]);
    expect(await gateCheck(UNDEPLOYED)).toMatchObject({ status: "fail", detail: expect.stringMatching(/shopify app deploy/) });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { action as readinessAction, loader as readinessLoader } from "../../../app/routes/app.drops.$id_.readiness.tsx";
import { waitingRoomEmbedEnabled } from "../../../app/drops/readiness.server.ts";
import { publishDeps } from "../../../app/drops/context.server.ts";
import { publishShopDrops } from "../../../app/drops/gate/publish.server.ts";
import { startEmbedded, shopFixture, type EmbeddedHarness } from "./support/embedded.ts";

const stamp = Date.now().toString(36);
const READY = `ready-${stamp}.myshopify.com`;
const BROKEN = `broken-${stamp}.myshopify.com`;
const NO_THEME = `nothemes-${stamp}.myshopify.com`;
const EMBED = "shopify://apps/holdfast/blocks/waiting-room/0b6a3b6e-1d3c-4c63-9a37-1f0e2c5f7d11";
let h: EmbeddedHarness;

beforeAll(async () => {
  h = await startEmbedded([
    // Comments before the JSON, as Shopify writes settings_data.json.
    shopFixture(READY, {
      plus: true,
      // The shop's subscriptions as Shopify lists them through the Admin API.
      webhookTopics: ["ORDERS_CREATE", "ORDERS_CANCELLED", "INVENTORY_LEVELS_UPDATE", "APP_UNINSTALLED"],
      settingsData: `/*\n * auto-generated\n */\n${JSON.stringify({ current: { blocks: { "1": { type: EMBED, disabled: false, settings: {} } } } })}`,
    }),
    shopFixture(BROKEN, { settingsData: JSON.stringify({ current: { blocks: { "1": { type: EMBED, disabled: true } } } }) }),
    shopFixture(NO_THEME, { settingsData: null }),
  ]);
});
afterAll(() => h?.close());

type Check = { id: string; status: string; detail: string; fix?: { label: string; url: string } };
const args = (request: Request, params: Record<string, string>) => ({ request, context: h.context, params });

async function makeDrop(shop: string, items: { title: string; allocation: number; platformRef: string | null }[], startsAt: number | null): Promise<string> {
  const store = await h.sales.db.store.upsert({
    where: { platform_domain: { platform: "shopify", domain: shop } },
    create: { platform: "shopify", domain: shop, name: shop },
    update: {},
  });
  const details = await h.sales.service.create({
    name: "Drop",
    storeId: store.id,
    items,
    schedule: { startsAt },
    holdMinutes: 10,
    perCustomerLimit: 1,
    admission: { mode: "off" },
  });
  return details.sale.id;
}

async function checks(shop: string, id: string): Promise<Record<string, Check>> {
  const answer = (await (await readinessLoader(args(h.request(shop, `/app/drops/${id}/readiness`), { id }))).json()) as { checks: Check[] };
  return Object.fromEntries(answer.checks.map((check) => [check.id, check]));
}

describe("readiness checklist", () => {
  it("passes a drop whose products track stock, deny overselling, have enough of it, in a theme with the embed on", async () => {
    const id = await makeDrop(
      READY,
      [{ title: "Sneaker 42", allocation: 30, platformRef: "gid://shopify/InventoryItem/1001@gid://shopify/Location/1" }],
      Date.now() + 86_400_000,
    );
    await publishShopDrops(h.admin(READY), publishDeps(h.context), (await h.sales.service.get(id)).sale.storeId as string);
    const found = await checks(READY, id);
    expect(Object.values(found).map((check) => [check.id, check.status])).toEqual([
      ["inventoryPolicy", "pass"],
      ["stockCovers", "pass"],
      ["webhooks", "pass"],
      ["appEmbed", "pass"],
      ["checkoutGate", "pass"],
      ["scheduled", "pass"],
    ]);
    expect(found.webhooks?.detail).toBe("Every required topic has a subscription for this shop.");
    // Nothing to fix: no fix links.
    expect(Object.values(found).filter((check) => "fix" in check)).toEqual([]);
  });

  it("names each problem and what to do about it", async () => {
    const id = await makeDrop(
      BROKEN,
      [
        { title: "Sneaker 43", allocation: 20, platformRef: "gid://shopify/InventoryItem/1002@gid://shopify/Location/2" },
        { title: "Cap", allocation: 5, platformRef: "gid://shopify/InventoryItem/2001@gid://shopify/Location/1" },
        { title: "Demo item", allocation: 5, platformRef: null },
      ],
      null,
    );
    const found = await checks(BROKEN, id);
    expect(found.inventoryPolicy).toMatchObject({ status: "fail" });
    expect(found.inventoryPolicy?.detail).toMatch(/Sneaker 43: turn off "Continue selling when out of stock"/);
    expect(found.inventoryPolicy?.detail).toMatch(/Cap: turn on "Track quantity"/);
    expect(found.inventoryPolicy?.detail).toMatch(/Demo item is not linked to a Shopify product/);
    expect(found.stockCovers).toMatchObject({ status: "fail", detail: expect.stringMatching(/Sneaker 43: 20 allocated but 12 available/) });
    expect(found.appEmbed).toMatchObject({ status: "fail", detail: expect.stringMatching(/App embeds, turn on the Holdfast waiting room/) });
    expect(found.scheduled).toMatchObject({ status: "fail", detail: expect.stringMatching(/No start time/) });
    // The shop lists none of the topics: not a pass (a local file declaring them proves nothing about the shop).
    expect(found.webhooks).toMatchObject({
      status: "unknown",
      detail: expect.stringMatching(/ORDERS_CREATE, ORDERS_CANCELLED, INVENTORY_LEVELS_UPDATE, APP_UNINSTALLED/),
    });
    // Each failing check links to where it is fixed; the app embed's opens the theme editor with the embed switched on.
    expect(found.appEmbed?.fix).toEqual({
      label: "Turn on the waiting room in the theme editor",
      url: `https://${BROKEN}/admin/themes/current/editor?context=apps&activateAppId=${h.apiKey}/waiting-room`,
    });
    expect(found.inventoryPolicy?.fix?.url).toBe(`https://${BROKEN}/admin/products`);
    expect(found.stockCovers?.fix?.url).toBe(`https://${BROKEN}/admin/products/inventory`);
  });

  it("says when there is no live theme, and keeps the other checks", async () => {
    const id = await makeDrop(
      NO_THEME,
      [{ title: "Sneaker 42", allocation: 1, platformRef: "gid://shopify/InventoryItem/1001@gid://shopify/Location/1" }],
      Date.now() + 60_000,
    );
    const found = await checks(NO_THEME, id);
    expect(found.appEmbed).toMatchObject({ status: "fail", detail: expect.stringMatching(/no published theme/) });
    expect(found.stockCovers?.status).toBe("pass");
  });

  it("reports 'could not check' for every Shopify read when Shopify fails, without failing the page", async () => {
    const id = await makeDrop(
      NO_THEME,
      [{ title: "Sneaker 42", allocation: 1, platformRef: "gid://shopify/InventoryItem/1001@gid://shopify/Location/1" }],
      Date.now() + 60_000,
    );
    h.standIn.shop(NO_THEME).failWith = 500;
    try {
      const found = await checks(NO_THEME, id);
      expect([found.inventoryPolicy?.status, found.stockCovers?.status, found.webhooks?.status, found.appEmbed?.status]).toEqual([
        "unknown",
        "unknown",
        "unknown",
        "unknown",
      ]);
      expect(found.scheduled?.status).toBe("pass");
      expect(found.appEmbed?.detail).toMatch(/read_themes/);
    } finally {
      h.standIn.shop(NO_THEME).failWith = undefined;
    }
  });

  it("remembers the manual steps the merchant ticks, and refuses unknown ones", async () => {
    const id = await makeDrop(READY, [{ title: "Demo", allocation: 1, platformRef: null }], null);
    const tick = async (fields: Record<string, string>) =>
      (await readinessAction(args(h.request(READY, `/app/drops/${id}/readiness`, { method: "POST", body: new URLSearchParams(fields) }), { id }))) as Response;
    expect((await tick({ intent: "tick", step: "launchpad", done: "true" })).status).toBe(200);
    expect((await tick({ intent: "tick", step: "themeSpeed", done: "true" })).status).toBe(200);
    expect((await tick({ intent: "tick", step: "themeSpeed", done: "false" })).status).toBe(200);
    const bad = await tick({ intent: "tick", step: "nope", done: "true" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("unknown_step");
    const answer = (await (await readinessLoader(args(h.request(READY, `/app/drops/${id}/readiness`), { id }))).json()) as {
      manual: { id: string; done: boolean; help: string }[];
      plus: boolean;
    };
    expect(answer.manual.filter((step) => step.done).map((step) => step.id)).toEqual(["launchpad"]);
    // The rehearsal step names the command the README documents.
    expect(answer.manual.find((step) => step.id === "rehearsal")?.help).toContain("npm run surge -- --url");
    expect(answer.plus).toBe(true);
  });
});

describe("the app embed in settings_data.json", () => {
  it.each([
    [JSON.stringify({ current: { blocks: { a: { type: EMBED, disabled: false } } } }), true],
    [JSON.stringify({ current: { blocks: { a: { type: EMBED } } } }), true],
    [JSON.stringify({ current: { blocks: { a: { type: EMBED, disabled: true } } } }), false],
    [JSON.stringify({ current: { blocks: { a: { type: "shopify://apps/other/blocks/chat/1", disabled: false } } } }), false],
    [JSON.stringify({ current: "Default" }), false],
    ["{ not json", null],
  ])("%s -> %s", (content, expected) => {
    expect(waitingRoomEmbedEnabled(content)).toBe(expected);
  });
});

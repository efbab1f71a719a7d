import { readFile } from "node:fs/promises";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO_SALE, ensureDemoSale } from "../../app/api/demo/demoSale.ts";
import { startDemoServer, type DemoServer } from "./widgetHarness.ts";

// The demo storefront over HTTP (no browser): the page, its assets, bad input, and the demo
// sale that npm start makes when none works.

let server: DemoServer;

beforeAll(async () => {
  server = await startDemoServer();
});

afterAll(async () => {
  await server?.close();
});

const get = (path: string, init?: RequestInit) => fetch(`${server.base}${path}`, init);

describe("demo storefront", () => {
  it("serves the demo sale's page with the widget wired to the same-origin API", async () => {
    const res = await get("/demo");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await res.text();
    for (const item of DEMO_SALE.items) expect(html).toContain(item.title);
    const config = JSON.parse(/<script type="application\/json" id="holdfast-config">(.*?)<\/script>/.exec(html)?.[1] ?? "{}") as Record<string, unknown>;
    const details = await server.app.sales.get(server.demoSaleId);
    expect(config).toMatchObject({ api: "/v1", sale: server.demoSaleId, platform: "demo" });
    expect(Object.keys(config.items as object).sort()).toEqual(details.sale.items.map((item) => item.id).sort());
    expect((config.strings as Record<string, string>).title).toBe("You're in line for the drop");
    // The demo sale is live with a waiting room, so the page works as soon as npm start prints it.
    expect(details.room).toMatchObject({ state: "live" });
    expect(details.sale.admission.mode).not.toBe("off");
  });

  it("shows each product's price in its currency and a picture drawn in the page (no image requests)", async () => {
    const html = await (await get("/demo")).text();
    for (const [title, price] of [
      ["Aurora runner, size 42", "€129.00"],
      ["Nimbus hoodie", "€69.00"],
      ["Comet cap", "€24.50"],
    ]) {
      expect(html).toMatch(new RegExp(`<svg class="demo-picture"[^]*?</svg>\\s*<h3[^>]*>${title}</h3><p class="demo-price">${price}</p>`));
    }
    const yen = await server.createSale({ name: "Yen drop", items: [{ title: "Kite", allocation: 3, price: { amount: "1200", currency: "JPY" } }] });
    expect(await (await get(`/demo?sale=${yen.saleId}`)).text()).toContain('<p class="demo-price">¥1,200</p>');
    const unpriced = await server.createSale({ name: "Unpriced drop", items: [{ title: "Kite", allocation: 3 }] });
    expect(await (await get(`/demo?sale=${unpriced.saleId}`)).text()).not.toContain("demo-price");
  });

  it("serves the widget from the theme extension's assets, byte for byte", async () => {
    const res = await get("/demo/assets/holdfast-waiting-room.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const onDisk = await readFile(new URL("../../extensions/waiting-room/assets/holdfast-waiting-room.js", import.meta.url), "utf8");
    expect(await res.text()).toBe(onDisk);
    for (const asset of ["holdfast-waiting-room.css", "demo.js", "demo.css", "favicon.svg"]) expect((await get(`/demo/assets/${asset}`)).status).toBe(200);
  });

  it("answers bad input with a JSON error and a code", async () => {
    const cases: [string, RequestInit | undefined, number, string][] = [
      ["/demo/assets/..%2F..%2Fpackage.json", undefined, 404, "asset_not_found"],
      ["/demo/assets/index.ts", undefined, 404, "asset_not_found"],
      ["/demo/assets/__proto__", undefined, 404, "asset_not_found"],
      ["/demo", { method: "POST" }, 405, "method_not_allowed"],
    ];
    for (const [path, init, status, code] of cases) {
      const res = await get(path, init);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(await res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
    }
  });

  it("shows an unknown drop as a page that says so, not as JSON", async () => {
    for (const path of ["/demo?sale=no-such-sale", "/demo?sale=%00bad"]) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const html = await res.text();
      expect(html).toContain("<h1>There is no such drop</h1>");
      expect(html).not.toContain("Buy now");
    }
  });

  it("shows an ended drop as a page with its products and no Buy now", async () => {
    const { saleId } = await server.createSale({ name: "Ended drop", items: [{ title: "Gone sneaker", allocation: 3 }] });
    await server.app.sales.end(saleId);
    const res = await get(`/demo?sale=${saleId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<h1>Ended drop</h1>");
    expect(html).toContain("This drop has ended.");
    expect(html).toContain("Gone sneaker");
    expect(html).not.toContain("Buy now");
    expect(html).not.toContain("holdfast-waiting-room.js");
  });

  it("escapes sale and item names in the page and in its JSON", async () => {
    const { saleId } = await server.createSale({
      name: `Drop </script><script>alert(1)</script>`,
      items: [{ title: `<img src=x onerror=alert(1)>`, allocation: 1 }],
    });
    const html = await (await get(`/demo?sale=${saleId}`)).text();
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&#60;img src=x onerror=alert(1)&#62;");
    expect(html).toContain("\\u003cimg src=x");
  });

  it("npm start reuses a working demo sale and makes a new one once it has ended", async () => {
    expect(await ensureDemoSale(server.app.sales)).toEqual({ saleId: server.demoSaleId, created: false });
    await server.app.sales.end(server.demoSaleId);
    const next = await ensureDemoSale(server.app.sales);
    expect(next.created).toBe(true);
    expect(next.saleId).not.toBe(server.demoSaleId);
    expect((await server.app.sales.get(next.saleId)).room).toMatchObject({ state: "live" });
    await server.app.sales.end(next.saleId);
  });
});

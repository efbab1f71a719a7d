import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { CONSOLE_TOKEN, startWebServer, type WebServer } from "./webServer.ts";

// Issue #12, failure 2: with a signed-in console on 127.0.0.1:<port>, a page on the same host
// and another port (same site, another origin) ended one drop and renamed another through
// Remix `?_data=` POSTs: the SameSite=Strict cookie goes along on same-site requests, Remix's
// own check covers document requests only (and answers 500), and the drop form read JSON
// whatever the Content-Type. Also: GET on a webhook route (Shopify only POSTs there).

let web: WebServer;
let cookie: string;

beforeAll(async () => {
  web = await startWebServer();
  cookie = await web.signIn();
}, 120_000);
afterAll(() => web?.close());

const LIVE_ROUTE = "routes/console.drops.$id_.live";
const EDIT_ROUTE = "routes/console.drops.$id";

/** What a same-site page sends with fetch(url, {mode: "no-cors", credentials: "include"}). */
function sameSiteHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { cookie, origin: web.sameSiteOrigin, "sec-fetch-site": "same-site", "sec-fetch-mode": "no-cors", ...extra };
}

async function liveSale(name: string, perCustomerLimit = 2): Promise<string> {
  const details = await web.app.sales.create({
    name,
    items: [{ title: "Tee", allocation: 10 }],
    holdMinutes: 10,
    perCustomerLimit,
    admission: { mode: "off" },
  });
  await web.app.sales.start(details.sale.id);
  return details.sale.id;
}

const editForm = (name: string, perCustomerLimit: string, items: { id: string; title: string; allocation: number }[] = []) =>
  JSON.stringify({
    name,
    timeZone: "UTC",
    startsAt: "",
    endsAt: "",
    prequeueMinutes: "",
    holdMinutes: "10",
    perCustomerLimit,
    admissionMode: "off",
    perMinute: "",
    maxActive: "",
    bypassPolicy: "flag",
    failPolicy: "auto",
    items: items.map((item) => ({ id: item.id, title: item.title, allocation: String(item.allocation), platformRef: "" })),
  });

const itemsOf = async (saleId: string) => (await web.app.sales.get(saleId)).sale.items;

describe("console actions from another origin on the same site", () => {
  it("refuses the same-site ?_data= POST that ended a drop: 403, and the drop keeps selling", async () => {
    const saleId = await liveSale("Same-site end");
    const url = `${web.base}/console/drops/${saleId}/live?_data=${encodeURIComponent(LIVE_ROUTE)}`;
    for (const headers of [
      sameSiteHeaders({ "content-type": "application/x-www-form-urlencoded" }),
      // Without Sec-Fetch-Site (older browsers): the Origin alone gives it away.
      { cookie, origin: web.sameSiteOrigin, "content-type": "application/x-www-form-urlencoded" },
      // A sandboxed frame or a data: page says Origin: null.
      { cookie, origin: "null", "content-type": "application/x-www-form-urlencoded" },
    ]) {
      const answer = await fetch(url, { method: "POST", headers, body: "intent=end", redirect: "manual" });
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(await answer.json()).toMatchObject({ error: { code: "cross_origin_request" } });
    }
    expect((await web.app.sales.get(saleId)).sale.state).toBe("live");
  });

  it("refuses the same-site rename that raised a per-customer limit, as text/plain or JSON", async () => {
    const saleId = await liveSale("Same-site rename", 2);
    const url = `${web.base}/console/drops/${saleId}?_data=${encodeURIComponent(EDIT_ROUTE)}`;
    for (const type of ["text/plain;charset=UTF-8", "application/json"]) {
      const answer = await fetch(url, {
        method: "POST",
        headers: sameSiteHeaders({ "content-type": type }),
        body: editForm("Renamed", "1000", await itemsOf(saleId)),
      });
      expect(answer.status, type).toBe(403);
    }
    expect((await web.app.sales.get(saleId)).sale).toMatchObject({ name: "Same-site rename", perCustomerLimit: 2 });
  });

  it("refuses a cross-origin document POST with 403 (Remix's own check answered 500)", async () => {
    const saleId = await liveSale("Document post");
    const answer = await fetch(`${web.base}/console/drops/${saleId}/live`, {
      method: "POST",
      headers: sameSiteHeaders({ "content-type": "application/x-www-form-urlencoded", "sec-fetch-mode": "navigate", accept: "text/html" }),
      body: "intent=end",
      redirect: "manual",
    });
    expect(answer.status).toBe(403);
    expect((await web.app.sales.get(saleId)).sale.state).toBe("live");
  });

  it("refuses the sign-in form from another origin (no login CSRF)", async () => {
    const answer = await fetch(`${web.base}/console/login`, {
      method: "POST",
      headers: { origin: web.sameSiteOrigin, "sec-fetch-site": "same-site", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: CONSOLE_TOKEN }),
      redirect: "manual",
    });
    expect(answer.status).toBe(403);
    expect(answer.headers.get("set-cookie")).toBeNull();
  });

  it("still takes the console's own requests: same origin, the content types its forms send", async () => {
    const saleId = await liveSale("Own origin");
    const own = { cookie, origin: web.base, "sec-fetch-site": "same-origin" };
    const renamed = await fetch(`${web.base}/console/drops/${saleId}?_data=${encodeURIComponent(EDIT_ROUTE)}`, {
      method: "POST",
      headers: { ...own, "content-type": "application/json" },
      body: editForm("Own rename", "3", await itemsOf(saleId)),
    });
    expect(renamed.status, await renamed.clone().text()).toBe(200);
    expect((await web.app.sales.get(saleId)).sale).toMatchObject({ name: "Own rename", perCustomerLimit: 3 });
    // The drop form sends JSON; the same body as a form or plain text is refused, changing nothing.
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const refused = await fetch(`${web.base}/console/drops/${saleId}?_data=${encodeURIComponent(EDIT_ROUTE)}`, {
        method: "POST",
        headers: { ...own, "content-type": type },
        body: editForm("Typed", "9", await itemsOf(saleId)),
      });
      expect(refused.status, type).toBe(415);
    }
    expect((await web.app.sales.get(saleId)).sale).toMatchObject({ name: "Own rename", perCustomerLimit: 3 });
    const paused = await fetch(`${web.base}/console/drops/${saleId}/live?_data=${encodeURIComponent(LIVE_ROUTE)}`, {
      method: "POST",
      headers: { ...own, "content-type": "application/x-www-form-urlencoded" },
      body: "intent=pause",
    });
    expect(paused.status).toBe(200);
    expect((await web.app.sales.get(saleId)).sale.state).toBe("paused");
    // A program without a browser (no Origin, no Sec-Fetch-Site) cannot be driven by a page; it may call.
    const resumed = await fetch(`${web.base}/console/drops/${saleId}/live?_data=${encodeURIComponent(LIVE_ROUTE)}`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "intent=resume",
    });
    expect(resumed.status).toBe(200);
  });
});

describe("console pages cannot be framed", () => {
  it("sends frame-ancestors 'none' and X-Frame-Options DENY on every console page", async () => {
    const saleId = await liveSale("Framed");
    for (const path of ["/console/login", "/console", `/console/drops/${saleId}`, `/console/drops/${saleId}/live`, "/console/drops/new"]) {
      // The sign-in page is for visitors without a session (a signed-in one is sent on).
      const page = await fetch(`${web.base}${path}`, {
        headers: path === "/console/login" ? { accept: "text/html" } : { cookie, accept: "text/html" },
        redirect: "manual",
      });
      expect(page.status, path).toBe(200);
      expect(page.headers.get("content-security-policy"), path).toMatch(/frame-ancestors 'none'/);
      expect(page.headers.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("leaves the embedded app to Shopify's frame-ancestors for the shop", async () => {
    const page = await fetch(`${web.base}/app?embedded=1&shop=frame-test.myshopify.com`, { headers: { "user-agent": "curl/8.0" }, redirect: "manual" });
    expect(page.headers.get("content-security-policy")).toMatch(/^frame-ancestors https:\/\/frame-test\.myshopify\.com https:\/\/admin\.shopify\.com/);
    expect(page.headers.get("x-frame-options")).toBeNull();
  });
});

describe("webhook routes", () => {
  it("answer GET with 405 and Allow: POST, in JSON", async () => {
    for (const topic of [
      "orders/create",
      "orders/cancelled",
      "app/uninstalled",
      "app/scopes_update",
      "products/update",
      "inventory_levels/update",
      "customers/data_request",
      "customers/redact",
      "shop/redact",
    ]) {
      const answer = await fetch(`${web.base}/webhooks/${topic}`);
      expect(answer.status, topic).toBe(405);
      expect(answer.headers.get("allow"), topic).toBe("POST");
      expect(await answer.json()).toMatchObject({ error: { code: "method_not_allowed" } });
    }
  });

  it("still take Shopify's POSTs, which carry no Origin (an unsigned one is refused by signature, 401)", async () => {
    const answer = await fetch(`${web.base}/webhooks/orders/create`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(answer.status).toBe(401);
  });
});

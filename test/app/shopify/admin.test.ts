import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openJson, openKeyring } from "../../../app/core/secrets/index.ts";
import { loader as embeddedLayout } from "../../../app/routes/app.tsx";
import { loader as authSplat } from "../../../app/routes/auth.$.tsx";
import { loader as index } from "../../../app/routes/_index.tsx";
import { SHOPIFY_SCOPES } from "../../../app/shopify.server.ts";
import { sessionToken as signSessionToken } from "../../support/shopify/sessionToken.ts";
import { API_KEY, API_SECRET, routeShopTo, startShopifyHarness, TEST_APP, type ShopifyHarness } from "./harness.ts";

let h: ShopifyHarness;
beforeAll(async () => {
  h = await startShopifyHarness();
});
afterAll(() => h.close());

/** The session token App Bridge puts in `id_token`, with claims overridden or another secret. */
const sessionToken = (shop: string, overrides: Record<string, unknown> = {}, secret: string = API_SECRET) =>
  signSessionToken(shop, API_KEY, secret, Date.now(), overrides);

function embeddedRequest(path: string, shop: string, token: string | null): Request {
  const query = new URLSearchParams({ embedded: "1", shop, host: Buffer.from(`${shop}/admin`).toString("base64url") });
  if (token) query.set("id_token", token);
  return new Request(`${TEST_APP.appUrl}${path}?${query}`);
}

async function thrownBy(promise: Promise<unknown>): Promise<Response> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("expected a thrown Response");
}

describe("the embedded admin layout (/app)", () => {
  it("answers an installed shop's session token with the App Bridge api key, without calling Shopify", async () => {
    const { shop } = await h.installShop("layout");
    const data = await embeddedLayout({ request: embeddedRequest("/app", shop, sessionToken(shop)), context: h.context, params: {} });
    expect(data).toEqual({ configured: true, apiKey: API_KEY, missing: [] });
  });

  it("refuses a session token signed with another secret, and bounces a request that has none", async () => {
    const { shop } = await h.installShop("badtoken");
    const forged = await thrownBy(embeddedLayout({ request: embeddedRequest("/app", shop, sessionToken(shop, {}, "guess")), context: h.context, params: {} }));
    expect([401, 302]).toContain(forged.status);
    // No token: the library answers with its bounce page redirect, which fetches one from App Bridge.
    const bounced = await thrownBy(embeddedLayout({ request: embeddedRequest("/app", shop, null), context: h.context, params: {} }));
    expect(bounced.status).toBe(302);
    expect(bounced.headers.get("location")).toMatch(/^\/auth\/session-token\?/);
  });

  it("sends Shopify's first visit at the app URL into /app with its query intact", async () => {
    const request = new Request(`${TEST_APP.appUrl}/?shop=a.myshopify.com&host=abc&embedded=1`);
    const response = await thrownBy(index({ request, context: h.context, params: {} }));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/app?shop=a.myshopify.com&host=abc&embedded=1");
  });

  it("serves the library's session-token bounce page under /auth", async () => {
    const shop = "bounce.myshopify.com";
    const request = new Request(
      `${TEST_APP.appUrl}/auth/session-token?shop=${shop}&host=abc&embedded=1&shopify-reload=${encodeURIComponent(`${TEST_APP.appUrl}/app`)}`,
    );
    const answer = await authSplat({ request, context: h.context, params: { "*": "session-token" } }).then(
      (value) => value,
      (error: unknown) => error,
    );
    expect(answer).toBeInstanceOf(Response);
    const page = await (answer as Response).text();
    expect(page).toContain("app-bridge.js");
    expect(page).toContain(API_KEY);
  });
});

describe("install (token exchange, then afterAuth)", () => {
  let oauth: Server;
  const exchanges: Record<string, unknown>[] = [];
  const issued: string[] = [];
  beforeAll(async () => {
    // Shopify's token exchange endpoint for one shop: POST /admin/oauth/access_token.
    oauth = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        exchanges.push(JSON.parse(body) as Record<string, unknown>);
        const token = `shpat_${randomBytes(8).toString("hex")}`;
        issued.push(token);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: token, scope: SHOPIFY_SCOPES.join(",") }));
      });
    });
    await new Promise<void>((resolve) => oauth.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => oauth.close(() => resolve())));

  it("exchanges the session token for an offline token and records the store: sealed token, signing keys, installed", async () => {
    const shop = `fresh-${randomBytes(3).toString("hex")}.myshopify.com`;
    routeShopTo(shop, `http://127.0.0.1:${(oauth.address() as AddressInfo).port}`);
    const data = await embeddedLayout({ request: embeddedRequest("/app", shop, sessionToken(shop)), context: h.context, params: {} });
    expect(data).toMatchObject({ configured: true });
    expect(exchanges.at(-1)).toMatchObject({ client_id: API_KEY, client_secret: API_SECRET, grant_type: "urn:ietf:params:oauth:grant-type:token-exchange" });

    const session = await h.db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });
    const store = await h.db.store.findUniqueOrThrow({ where: { platform_domain: { platform: "shopify", domain: shop } } });
    expect(store.uninstalledAt).toBeNull();
    // The token is sealed in both places (the Session row and the Store's credentials), in clear in neither.
    const token = issued.at(-1) as string;
    expect(session.accessToken).not.toContain(token);
    expect(store.credentialsCiphertext).not.toContain(token);
    expect(openJson(store.credentialsCiphertext as string, h.app.masterKey.key, `credentials:${store.id}`)).toMatchObject({ accessToken: token });
    const keys = openKeyring(store.signingKeysCiphertext as string, h.app.masterKey.key);

    // Reinstall after an uninstall: installed again, new token, same signing keys (tokens out there keep verifying).
    await h.db.store.update({ where: { id: store.id }, data: { uninstalledAt: new Date() } });
    await h.db.session.deleteMany({ where: { shop } });
    await embeddedLayout({ request: embeddedRequest("/app", shop, sessionToken(shop)), context: h.context, params: {} });
    const again = await h.db.store.findUniqueOrThrow({ where: { id: store.id } });
    expect(again.uninstalledAt).toBeNull();
    expect(openKeyring(again.signingKeysCiphertext as string, h.app.masterKey.key).current.kid).toBe(keys.current.kid);
    const newToken = issued.at(-1) as string;
    expect(newToken).not.toBe(token);
    expect(openJson(again.credentialsCiphertext as string, h.app.masterKey.key, `credentials:${store.id}`)).toMatchObject({ accessToken: newToken });
  });
});

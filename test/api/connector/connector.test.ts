// The WordPress plugin's connector endpoints through the real app (SQLite, Redis): a connect
// code from the admin API, the plugin's signed registration in one go, the key set and drops it
// fetches, the one-time console sign-in link; everything unsigned, forged, stale, reused or
// malformed is refused with a code and changes nothing.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildApp, type App } from "../../../app/composition/web.server.ts";
import { migrateDatabase } from "../../../app/db/migrate.server.ts";
import { isSignedIn } from "../../../app/drops/consoleAuth.server.ts";
import { openJson } from "../../../app/core/secrets/index.ts";
import { signRequest } from "../../../app/core/tokens/requestSignature.ts";
import { verifyToken } from "../../../app/core/tokens/index.ts";
import { quietLogger } from "../../core/orders/harness.ts";
import { freshDatabase, type TestDatabase } from "../../db/databases.ts";
import { testRedisConfig } from "../../support/redis.ts";

const ADMIN = `admin-${randomBytes(16).toString("hex")}`;
let database: TestDatabase;
let app: App;
let base: string;

beforeAll(async () => {
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  app = buildApp({
    redis: testRedisConfig(),
    databaseUrl: database.url,
    logger: quietLogger,
    adminToken: ADMIN,
    env: { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
    routes: { wooConnector: { env: {} } },
  });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const now = () => Math.floor(Date.now() / 1000);
const hex = (bytes: number) => randomBytes(bytes).toString("hex");

async function connectCode(): Promise<string> {
  const res = await fetch(`${base}/v1/admin/connector/codes`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { code: string }).code;
}

function registration(code: string, site = `https://shop-${hex(3)}.example`) {
  return {
    code,
    siteUrl: site,
    name: "Woo shop",
    consumerKey: `ck_${hex(20)}`,
    consumerSecret: `cs_${hex(20)}`,
    webhookSecret: hex(24),
    pluginVersion: "0.1.0",
  };
}

async function register(body: unknown, signWith: string | null, at = now()) {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signWith !== null) headers["x-holdfast-signature"] = signRequest(signWith, { method: "POST", target: "/v1/connector/register", body: raw }, at);
  const res = await fetch(`${base}/v1/connector/register`, { method: "POST", headers, body: raw });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
}

async function signed(method: "GET" | "POST", path: string, storeId: string, secret: string, body = "", at = now()) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      "x-holdfast-store": storeId,
      "x-holdfast-signature": signRequest(secret, { method, target: path, body }, at),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
}

describe("connector endpoints", () => {
  it("registers a store in one go: credentials saved sealed, a connector secret, the webhook URL and the store's keys", async () => {
    const code = await connectCode();
    const sent = registration(code);
    const answer = await register(sent, code);
    expect(answer.status).toBe(201);
    const storeId = String(answer.body.storeId);
    expect(answer.body.webhookUrl).toBe(`${base}/v1/webhooks/woocommerce/${storeId}`);
    expect(String(answer.body.connectorSecret).length).toBeGreaterThanOrEqual(43);

    const row = await app.db.store.findUniqueOrThrow({ where: { id: storeId } });
    expect([row.platform, row.domain]).toEqual(["woocommerce", new URL(sent.siteUrl).host]);
    expect(row.credentialsCiphertext).not.toContain(sent.consumerSecret);
    expect(openJson(row.credentialsCiphertext!, app.masterKey.key, `credentials:${storeId}`)).toEqual({
      url: sent.siteUrl,
      consumerKey: sent.consumerKey,
      consumerSecret: sent.consumerSecret,
      webhookSecret: sent.webhookSecret,
      connectorSecret: answer.body.connectorSecret,
    });
    // The keys it got verify the store's hold tokens: the same keyring the storefront signs with.
    const keyring = await app.storefront.keyrings.forStore(storeId);
    expect(answer.body.keys).toEqual([keyring.current, ...keyring.previous].map(({ kid, secret }) => ({ kid, k: secret.toString("base64url") })));
  });

  it("refuses a code that is forged, reused, expired in the signature's time, or a request not signed with it, saving nothing", async () => {
    const before = await app.db.store.count();
    const code = await connectCode();
    expect(await register(registration(code), null)).toMatchObject({ status: 401, body: { error: { code: "signature_malformed" } } });
    expect(await register(registration(code), "another-code-another-code")).toMatchObject({ status: 401, body: { error: { code: "signature_invalid" } } });
    expect(await register(registration(code), code, now() - 600)).toMatchObject({ status: 401, body: { error: { code: "signature_expired" } } });
    const forged = `${code.slice(0, -4)}AAAA`;
    expect(await register(registration(forged), forged)).toMatchObject({ status: 401, body: { error: { code: "connect_code_invalid" } } });
    expect(await register({ ...registration(code), consumerKey: "ck_short" }, code)).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_registration" } },
    });
    expect(await app.db.store.count()).toBe(before);
    expect((await register(registration(code), code)).status).toBe(201);
    expect(await register(registration(code), code)).toMatchObject({ status: 409, body: { error: { code: "connect_code_used" } } });
    expect(await app.db.store.count()).toBe(before + 1);
    const unauthorized = await fetch(`${base}/v1/admin/connector/codes`, { method: "POST", headers: { authorization: "Bearer nope" } });
    expect(unauthorized.status).toBe(401);
  });

  it("answers the key set and the drops only to requests signed with the store's connector secret", async () => {
    const code = await connectCode();
    const { body } = await register(registration(code), code);
    const storeId = String(body.storeId);
    const secret = String(body.connectorSecret);
    const sale = await app.sales.create({
      name: "Winter drop",
      storeId,
      items: [
        { title: "Tee", allocation: 5, platformRef: "101" },
        { title: "Hoodie M", allocation: 3, platformRef: "200:201" },
      ],
      holdMinutes: 10,
      perCustomerLimit: 0,
      admission: { mode: "off" },
      bypassPolicy: "flag",
    });
    await app.sales.start(sale.sale.id);
    const keys = await signed("GET", "/v1/connector/keys", storeId, secret);
    expect(keys.status).toBe(200);
    expect(keys.body.keys).toEqual(body.keys);
    const drops = await signed("GET", "/v1/connector/drops", storeId, secret);
    expect(drops.body.drops).toEqual([
      {
        sale: sale.sale.id,
        name: "Winter drop",
        state: "live",
        failPolicy: "auto",
        items: { "101": sale.sale.items[0]!.id, "200:201": sale.sale.items[1]!.id },
      },
    ]);

    expect(await signed("GET", "/v1/connector/keys", storeId, "wrong-secret")).toMatchObject({ status: 401, body: { error: { code: "signature_invalid" } } });
    expect(await signed("GET", "/v1/connector/keys", storeId, secret, "", now() - 301)).toMatchObject({
      status: 401,
      body: { error: { code: "signature_expired" } },
    });
    expect(await signed("GET", "/v1/connector/keys", "st_nobody", secret)).toMatchObject({ status: 401, body: { error: { code: "store_not_connected" } } });
    // A signature for one path does not open another.
    const res = await fetch(`${base}/v1/connector/drops`, {
      headers: { "x-holdfast-store": storeId, "x-holdfast-signature": signRequest(secret, { method: "GET", target: "/v1/connector/keys", body: "" }, now()) },
    });
    expect(res.status).toBe(401);
  });

  it("gives a signed plugin a one-minute sign-in link that works once and leaves no token in the console's URL", async () => {
    const code = await connectCode();
    const { body } = await register(registration(code), code);
    const link = await signed("POST", "/v1/connector/console-link", String(body.storeId), String(body.connectorSecret), JSON.stringify({ user: "admin" }));
    expect(link.status).toBe(201);
    const url = new URL(String(link.body.url));
    const token = url.searchParams.get("token")!;
    const claims = verifyToken(token, await app.storefront.keyrings.forStore(null), { type: "console-link" });
    expect((claims.exp ?? 0) - claims.iat).toBe(60);
    const first = await fetch(url, { redirect: "manual" });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/console");
    const cookie = first.headers.get("set-cookie") ?? "";
    expect(isSignedIn(new Request(`${base}/console`, { headers: { cookie: cookie.split(";")[0]! } }), ADMIN, Date.now())).toBe(true);
    const again = await fetch(url, { redirect: "manual" });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("console_link_used");
    const forged = await fetch(`${base}/v1/connector/console?token=${encodeURIComponent(`${token.slice(0, -4)}AAAA`)}`, { redirect: "manual" });
    expect(forged.status).toBe(401);
    expect(forged.headers.get("set-cookie")).toBeNull();
  });
});

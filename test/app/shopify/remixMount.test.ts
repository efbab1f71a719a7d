import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildApp, type App } from "../../../app/composition/web.server.ts";
import { silentLogger } from "../../../app/core/logger.ts";
import { OrderIntake, PlatformEventQueue } from "../../../app/core/orders/index.ts";
import { DeadLetterQueue, HoldfastQueues } from "../../../app/core/queues/index.ts";
import { createWebApp, type WebMode } from "../../../app/web/remix.server.ts";
import { configureShopify } from "../../../app/shopify.server.ts";
import { TEST_APP } from "./harness.ts";
import { migrateDatabase } from "../../../app/db/migrate.server.ts";
import { freshDatabase, type TestDatabase } from "../../db/databases.ts";
import { testRedisConfig } from "../../support/redis.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
// Inside the project (gitignored), so the server bundle resolves node_modules like build/ does.
const BUILD_DIRECTORY = `${ROOT}.cache/remix-build-${randomBytes(4).toString("hex")}`;

/** `npm run build` into a directory of this test's own. */
function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}node_modules/@remix-run/dev/dist/cli.js`, "vite:build"], {
      cwd: ROOT,
      env: { ...process.env, HOLDFAST_BUILD_DIR: BUILD_DIRECTORY },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let errors = "";
    child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`remix vite:build failed (${code}): ${errors}`))));
  });
}

interface Running {
  app: App;
  base: string;
  close(): Promise<void>;
}

async function serve(mode: WebMode): Promise<Running> {
  const database: TestDatabase = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  const app = buildApp({
    redis: testRedisConfig(),
    databaseUrl: database.url,
    logger: silentLogger,
    env: { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
    web: (parts) => {
      const queues = new HoldfastQueues(parts.redis, { namespace: `hf-t-mount-${randomBytes(4).toString("hex")}` });
      const intake = new OrderIntake(queues, new DeadLetterQueue(queues));
      return createWebApp({
        mode,
        buildDirectory: BUILD_DIRECTORY,
        logger: silentLogger,
        loadContext: () => ({ holdfast: { ...parts, intake, platformEvents: new PlatformEventQueue(queues), queues, logger: silentLogger } }),
      });
    },
  });
  await app.web?.start(app.server);
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  return {
    app,
    base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

// The Shopify part off, as on a fresh clone: pages must still render and say what to set.
configureShopify(null);

describe("the production build, mounted in the one HTTP server", () => {
  let running: Running;
  beforeAll(async () => {
    await build();
    running = await serve("production");
  }, 120_000);
  afterAll(async () => {
    await running?.close();
    rmSync(BUILD_DIRECTORY, { recursive: true, force: true });
  });

  it("renders pages, on this Node (the machines run Node 20, below Shopify's declared engines)", async () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(20);
    const home = await fetch(`${running.base}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toMatch(/text\/html/);
    expect(await home.text()).toContain("Holdfast");
    const login = await fetch(`${running.base}/auth/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toMatch(/not configured on this server/);
  });

  it("explains at /app what to configure when Shopify credentials are missing", async () => {
    const page = await fetch(`${running.base}/app`);
    const html = await page.text();
    expect(html).toContain("Holdfast for Shopify is not configured");
    expect(html).toContain("SHOPIFY_API_KEY");
    expect(html).toContain("SHOPIFY_API_SECRET");
  });

  it("serves hashed assets for a year, immutable, and nothing outside the client build", async () => {
    const asset = readdirSync(`${BUILD_DIRECTORY}/client/assets`).find((name) => name.endsWith(".js"));
    const res = await fetch(`${running.base}/assets/${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    for (const path of ["/assets/..%2F..%2Fserver%2Findex.js", "/assets/%2e%2e/%2e%2e/server/index.js", "/.vite/manifest.json"]) {
      const refused = await fetch(`${running.base}${path}`);
      expect(refused.status, path).toBe(404);
    }
  });

  it("ships no server code to the browser (routes' loaders, the engine, Prisma, secrets)", () => {
    const assets = readdirSync(`${BUILD_DIRECTORY}/client/assets`).filter((name) => name.endsWith(".js"));
    expect(assets.length).toBeGreaterThan(0);
    const client = assets.map((name) => readFileSync(`${BUILD_DIRECTORY}/client/assets/${name}`, "utf8")).join("\n");
    for (const marker of [
      "holdfast:signing-keys",
      "PrismaClient",
      "SHOPIFY_API_SECRET",
      "x-shopify-hmac-sha256",
      "createHmac",
      "receiveWebhook",
      "authenticate.admin",
    ]) {
      expect(client, marker).not.toContain(marker);
    }
  });

  it("keeps the lean paths and unknown paths as JSON 404s, and refuses unsigned webhooks through the full stack", async () => {
    for (const path of ["/nope", "/v1/nothing", "/proxy/nothing"]) {
      const res = await fetch(`${running.base}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
    }
    const webhook = await fetch(`${running.base}/webhooks/orders/create`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(webhook.status).toBe(401);
    expect(await webhook.json()).toMatchObject({ error: { code: "webhook_signature_missing" } });
  });
});

describe("development: Vite in middleware mode", () => {
  let running: Running;
  beforeAll(async () => {
    // From here on the Shopify part is on (testConfig()'s credentials).
    configureShopify({ apiKey: TEST_APP.apiKey, apiSecretKey: TEST_APP.apiSecretKey, appUrl: TEST_APP.appUrl, isTesting: true });
    running = await serve("development");
  }, 60_000);
  afterAll(() => running?.close());

  it("renders pages without a build, and never hands out the project's files", async () => {
    const home = await fetch(`${running.base}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Holdfast");
    // Browser modules of the app are Vite's; server code, the database and config are not served.
    expect((await fetch(`${running.base}/app/root.tsx`)).status).toBe(200);
    for (const path of ["/app/db.server.ts", "/app/core/secrets/seal.ts", "/prisma/schema.prisma", "/package.json", "/.env"]) {
      const res = await fetch(`${running.base}${path}`);
      expect(res.status, path).toBe(404);
    }
  });

  it("lets the Shopify admin frame a shop's pages, for that shop only", async () => {
    const browser = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36" };
    // A document for a shop (here the library's refusal of a bot) names that shop's admin only.
    const forShop = await fetch(`${running.base}/app?embedded=1&shop=frame-test.myshopify.com`, { headers: { "user-agent": "curl/8.0" }, redirect: "manual" });
    expect(forShop.status).toBe(410);
    expect(forShop.headers.get("content-security-policy")).toMatch(/^frame-ancestors https:\/\/frame-test\.myshopify\.com https:\/\/admin\.shopify\.com/);
    // An embedded request without a session token is sent to the library's bounce page for one.
    const embedded = await fetch(
      `${running.base}/app?embedded=1&shop=frame-test.myshopify.com&host=${Buffer.from("frame-test.myshopify.com/admin").toString("base64url")}`,
      { headers: browser, redirect: "manual" },
    );
    expect(embedded.status).toBe(302);
    expect(embedded.headers.get("location")).toMatch(/^\/auth\/session-token\?/);
  });
});

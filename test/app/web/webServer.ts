import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

import { expect } from "vitest";

import { buildApp, type App } from "../../../app/composition/web.server.ts";
import { silentLogger } from "../../../app/core/logger.ts";
import { OrderIntake, PlatformEventQueue } from "../../../app/core/orders/index.ts";
import { DeadLetterQueue, HoldfastQueues } from "../../../app/core/queues/index.ts";
import { createWebApp } from "../../../app/web/remix.server.ts";
import { configureShopify } from "../../../app/shopify.server.ts";
import { migrateDatabase } from "../../../app/db/migrate.server.ts";
import { freshDatabase } from "../../db/databases.ts";
import { testRedisConfig } from "../../support/redis.ts";
import { TEST_APP } from "../shopify/harness.ts";

/** The console signs in with the admin token; the routes read it from the environment. */
export const CONSOLE_TOKEN = "web-test-admin-token-0123456789abcdef";
process.env.HOLDFAST_ADMIN_TOKEN = CONSOLE_TOKEN;

export interface WebServer {
  app: App;
  base: string;
  /** Another origin on the same site: same host, another port (a page an attacker controls there). */
  sameSiteOrigin: string;
  /** Signs the console in as a browser on its own origin would; the Cookie header to send. */
  signIn(): Promise<string>;
  close(): Promise<void>;
}

export interface WebServerOptions {
  /** A database URL of the test's own (one nothing answers at, say); otherwise a fresh migrated SQLite. */
  databaseUrl?: string;
}

/** The whole server as `npm start` runs it in development: lean API + Remix through Vite, real Redis and SQLite. */
export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  const database = options.databaseUrl === undefined ? await freshDatabase("sqlite") : { url: options.databaseUrl, drop: async () => undefined };
  if (options.databaseUrl === undefined) await migrateDatabase(database.url, () => undefined);
  configureShopify({ apiKey: TEST_APP.apiKey, apiSecretKey: TEST_APP.apiSecretKey, appUrl: TEST_APP.appUrl, isTesting: true });
  const app = buildApp({
    redis: testRedisConfig(),
    databaseUrl: database.url,
    logger: silentLogger,
    adminToken: CONSOLE_TOKEN,
    env: { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
    web: (parts) => {
      const queues = new HoldfastQueues(parts.redis, { namespace: `hf-t-web-${randomBytes(4).toString("hex")}` });
      const intake = new OrderIntake(queues, new DeadLetterQueue(queues));
      return createWebApp({
        mode: "development",
        logger: silentLogger,
        loadContext: () => ({ holdfast: { ...parts, intake, platformEvents: new PlatformEventQueue(queues), queues, logger: silentLogger } }),
      });
    },
  });
  await app.web?.start(app.server);
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const port = (app.server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  return {
    app,
    base,
    sameSiteOrigin: `http://127.0.0.1:${port === 65_535 ? port - 1 : port + 1}`,
    async signIn() {
      const answer = await fetch(`${base}/console/login?next=/console`, {
        method: "POST",
        headers: { origin: base, "sec-fetch-site": "same-origin", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: CONSOLE_TOKEN }),
        redirect: "manual",
      });
      expect(answer.status).toBe(302);
      return (answer.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    },
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

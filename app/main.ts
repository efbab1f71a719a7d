/**
 * `npm start`: the whole service (web + worker) on embedded defaults, with no
 * configuration. It finds or starts Redis, brings the database up to date, serves HTTP, and
 * says where to look.
 */
import "dotenv/config";

import type { AddressInfo } from "node:net";

import { databaseFailureLine, migrateDatabase } from "./db/migrate.server.ts";
import { resolveAdminToken } from "./composition/adminToken.server.ts";
import { buildApp } from "./composition/web.server.ts";
import { loggerFromEnv } from "./core/logger.ts";
import { DEFAULT_REDIS_URL, describeRedis, redisConfigFromEnv, redisConfiguredInEnv } from "./core/redis.ts";
import { closeDb, redactUrl, resolveDatabaseUrl } from "./db/client.server.ts";
import { ensureDemoSale, type DemoSale } from "./api/demo/demoSale.ts";
import { provisionRedis } from "./composition/localRedis.server.ts";
import { createWebApp } from "./web/remix.server.ts";
import { configureShopify, SHOPIFY_ENV, shopifySetupFromEnv } from "./shopify.server.ts";
import { ShopifySessionStorage } from "./stores/shopifySessions.server.ts";
import { processRoleFromEnv } from "./composition/role.ts";
import { stopOnSignals } from "./composition/shutdown.ts";
import { buildProducers, startWorker, type RunningWorker, type WorkProducers } from "./composition/worker.server.ts";
import { startWorkerProcess, workerReadiness } from "./composition/workerProcess.server.ts";
import { metricsTokenFromEnv } from "./api/metrics.ts";

const say = (line: string) => process.stdout.write(`[holdfast] ${line}\n`);

async function main(): Promise<void> {
  const role = processRoleFromEnv();
  const provision = await provisionRedis(redisConfigFromEnv(), { explicit: redisConfiguredInEnv() });
  say(
    provision.stop
      ? `started a private redis-server at ${describeRedis(provision.config)} (REDIS_URL is not set and nothing answered at ${DEFAULT_REDIS_URL})`
      : `using Redis at ${describeRedis(provision.config)}`,
  );

  const databaseUrl = resolveDatabaseUrl();
  // An explicit DATABASE_URL is used or the start fails; it is never replaced by a default.
  await migrateDatabase(databaseUrl, (line) => say(`database: ${line}`)).catch((error: unknown) => {
    throw new Error(databaseFailureLine(error, databaseUrl));
  });
  const logger = loggerFromEnv();
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? "127.0.0.1";
  if (role === "worker") {
    const worker = await startWorkerProcess({ redis: provision.config, databaseUrl, logger, port, host });
    say(`role worker: queue workers, admission controller and schedulers; health ${worker.url}/healthz, readiness ${worker.url}/readyz`);
    stopOnSignals(async () => {
      await worker.stop();
      await closeDb();
      provision.stop?.();
    }, say);
    return;
  }
  const admin = resolveAdminToken();
  const shopifySetup = shopifySetupFromEnv();
  // The producers the routes enqueue on: the in-process worker's (role all), or producers alone (role web).
  const started: { work?: WorkProducers; worker?: RunningWorker; demo?: DemoSale } = {};
  const app = buildApp({
    redis: provision.config,
    databaseUrl,
    logger,
    adminToken: admin.token,
    // /metrics shows the in-process worker's circuit breakers.
    breakers: () => started.work?.platforms.breakers() ?? [],
    tokenRefreshes: () => started.work?.platforms.tokens.refreshCounts() ?? [],
    role,
    readiness: role === "all" ? [workerReadiness(() => started.worker)] : [],
    routes: {
      // The demo store (/demo) shows the demo sale made below unless asked for another (?sale=).
      demo: { defaultSaleId: () => started.demo?.saleId ?? null },
      // WooCommerce's webhooks (orders, stock), signed with each store's webhook secret.
      wooWebhooks: { worker: () => started.worker, drainEveryMs: 1_000 },
      // The WordPress plugin's endpoints: Connect, key set, drops, console sign-in.
      wooConnector: {},
      // The storefront API behind Shopify's app proxy (/apps/holdfast/* -> /proxy/*).
      shopifyProxy: { apiSecret: shopifySetup.enabled ? shopifySetup.settings.apiSecretKey : null },
    },
    // The Remix app (Shopify admin, auth, webhooks) behind every path outside the lean API.
    web: (parts) =>
      createWebApp({
        mode: process.env.NODE_ENV === "production" ? "production" : "development",
        logger,
        say,
        loadContext: () => {
          const running = started.work as WorkProducers;
          return {
            holdfast: {
              ...parts,
              intake: running.intake,
              platformEvents: running.platformEvents,
              queues: running.queues,
              breakers: () => running.platforms.breakers(),
              logger,
            },
          };
        },
      }),
  });
  if (app.masterKey.generated) {
    say("generated a development encryption key in prisma/.holdfast-master-key; production must set HOLDFAST_ENCRYPTION_KEY");
  }
  // Role web runs no queue consumer: worker processes (HOLDFAST_ROLE=worker) do the work.
  const worker = role === "all" ? startWorker(app, logger, { queues: app.queues }) : undefined;
  const producers = worker === undefined ? buildProducers(app, logger, { queues: app.queues }) : undefined;
  started.worker = worker;
  started.work = worker ?? producers;
  if (shopifySetup.enabled) {
    // Sessions and installs on the app's own database client and master key; offline tokens
    // from the process's token keeper, so the admin and the workers use (and refresh) one pair.
    const tokens = (worker ?? producers)!.platforms.tokens;
    const sessionStorage = new ShopifySessionStorage(app.db, app.masterKey.key, tokens);
    configureShopify({ ...shopifySetup.settings, sessionStorage, install: { db: app.db, masterKey: app.masterKey.key } });
  }
  started.demo = await ensureDemoSale(app.sales).catch((error: unknown) => {
    say(`demo: no demo sale (${error instanceof Error ? error.message : String(error)}); /demo?sale=<saleId> still works`);
    return undefined;
  });
  await app.web?.start(app.server);

  await new Promise<void>((resolve, reject) => {
    app.server.once("error", reject);
    app.server.listen(port, host, resolve);
  });
  // Before the first line that says it listens: whoever waits for that line may stop it at once.
  stopOnSignals(async () => {
    await worker?.stop();
    await app.close();
    await producers?.close();
    await closeDb();
    provision.stop?.();
  }, say);
  const base = `http://${host}:${(app.server.address() as AddressInfo).port}`;
  say(`database: ${redactUrl(databaseUrl)}`);
  say(`listening on ${base} (role ${role}${role === "web" ? ": no queue workers here; run HOLDFAST_ROLE=worker processes" : ""})`);
  say(`  storefront API: ${base}/v1/sales/<saleId>/tickets | status | holds | stock`);
  say(
    `  admin API:      ${base}/v1/admin/sales (Authorization: Bearer <token>; ${admin.source === "env" ? "token from HOLDFAST_ADMIN_TOKEN" : `token in ${admin.path}`})`,
  );
  say(`  console:        ${base}/console   (the admin pages without Shopify; sign in with the admin token)`);
  say(
    `  CLI:            npm run holdfast -- sale create --name "Drop" --item "Sneaker:100"   (REDIS_URL=${describeRedis(provision.config)} when the private Redis runs)`,
  );
  if (started.demo)
    say(`  demo store:     ${base}/demo   (demo sale ${started.demo.saleId}${started.demo.created ? ", created now" : ""}; test payments only)`);
  say(`  health:         ${base}/healthz   readiness: ${base}/readyz`);
  say(`  metrics:        ${base}/metrics   (Prometheus; Authorization: Bearer <admin token>${metricsTokenFromEnv() ? " or HOLDFAST_METRICS_TOKEN" : ""})`);
  say(
    shopifySetup.enabled
      ? `  Shopify app:    ${base}/app (public URL ${shopifySetup.settings.appUrl}); app proxy at ${base}/proxy/...`
      : `  Shopify app:    off; set ${SHOPIFY_ENV.apiKey} and ${SHOPIFY_ENV.apiSecret} (see README, "Shopify app")`,
  );
  say("press Ctrl+C to stop");
}

main().catch((error: unknown) => {
  // One line: the first thing a person reads when the start fails is what to do.
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
  process.stderr.write(`[holdfast] cannot start: ${message}\n`);
  process.exit(1);
});

import type { AddressInfo } from "node:net";

import type { ReadinessCheck } from "../api/health.ts";
import type { Logger } from "../core/logger.ts";
import { describeRedis, type RedisConfig } from "../core/redis.ts";
import { pingDb, redactUrl } from "../db/client.server.ts";
import { createHttpServer } from "../server.ts";
import { buildCore } from "./core.server.ts";
import { startWorker, type RunningWorker } from "./worker.server.ts";
import { configureShopify, shopifySetupFromEnv } from "../shopify.server.ts";
import { ShopifySessionStorage } from "../stores/shopifySessions.server.ts";

/** Ready once the worker's schedulers are installed; not ready while they are not (or failed). */
export function workerReadiness(worker: () => RunningWorker | undefined): ReadinessCheck {
  let installed = false;
  return {
    name: "worker",
    check: async () => {
      const running = worker();
      if (running === undefined) throw new Error("the worker has not started yet");
      if (!installed) {
        await running.ready;
        installed = true;
      }
    },
  };
}

export interface WorkerProcess {
  /** Where /healthz and /readyz answer. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A worker-only process (HOLDFAST_ROLE=worker, or `tsx app/worker.ts`): the queue workers,
 * the admission controller and the schedulers on the core's parts, and an HTTP server that
 * answers /healthz and /readyz only (for the orchestrator's probes), nothing else.
 */
export async function startWorkerProcess(options: {
  redis: RedisConfig;
  databaseUrl: string;
  logger: Logger;
  port: number;
  host: string;
}): Promise<WorkerProcess> {
  const { logger } = options;
  const core = buildCore({ redis: options.redis, databaseUrl: options.databaseUrl, logger });
  const worker = startWorker(core, logger, { queues: core.queues });
  // The worker's Admin API calls through the library (offlineAdmin) take the shop's token from
  // this process's token keeper, like the web process's.
  const shopifySetup = shopifySetupFromEnv();
  if (shopifySetup.enabled) {
    const sessionStorage = new ShopifySessionStorage(core.db, core.masterKey.key, worker.platforms.tokens);
    configureShopify({ ...shopifySetup.settings, sessionStorage, install: { db: core.db, masterKey: core.masterKey.key } });
  }
  const server = createHttpServer({
    role: "worker",
    readiness: [
      { name: "redis", check: async () => void (await core.redis.ping()) },
      { name: "sql", check: () => pingDb(core.db) },
      workerReadiness(() => worker),
    ],
    logger,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const url = `http://${options.host}:${(server.address() as AddressInfo).port}`;
  logger.info("worker started", {
    redis: describeRedis(options.redis),
    database: redactUrl(options.databaseUrl),
    queues: worker.queues.namespace,
    health: `${url}/healthz`,
    readiness: `${url}/readyz`,
  });
  return {
    url,
    async stop() {
      server.closeIdleConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.stop();
      await core.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * The WooCommerce plugin's view of the store directory: registering a store in one go from
 * the plugin's Connect step, and the secrets and drops the connector endpoints need.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";

import type { ConnectorDeps, WooRegistration } from "../api/connector/deps.ts";
import type { KeyringSource } from "../api/storefront/deps.ts";
import type { Logger } from "../core/logger.ts";
import { systemClock } from "../core/clock.ts";
import { connectorSpentKey } from "../core/keys.ts";
import type { RedisClient } from "../core/redis.ts";
import type { Db } from "../db/client.server.ts";
import { PrismaConnectorCatalog } from "../db/PrismaConnectorCatalog.ts";
import { saveStore, wooConnectorSecret, type SqlPlatformDirectory } from "./directory.server.ts";

/** The app's parts the connector needs. */
export interface ConnectorParts {
  db: Db;
  masterKey: { key: Buffer };
  redis: RedisClient;
  storefront: { keyrings: KeyringSource };
}

/** Saves the store (platform woocommerce, domain = the site's host) with a new connector secret. */
export async function registerWooStore(
  parts: Pick<ConnectorParts, "db" | "masterKey">,
  registration: WooRegistration,
  directory?: SqlPlatformDirectory,
): Promise<{ storeId: string; connectorSecret: string }> {
  const site = new URL(registration.siteUrl);
  const connectorSecret = randomBytes(32).toString("base64url");
  const storeId = await saveStore(
    parts.db,
    parts.masterKey.key,
    {
      platform: "woocommerce",
      domain: site.host,
      name: registration.name,
      credentials: {
        url: `${site.origin}${site.pathname.replace(/\/+$/, "")}`,
        consumerKey: registration.consumerKey,
        consumerSecret: registration.consumerSecret,
        webhookSecret: registration.webhookSecret,
        connectorSecret,
      },
    },
    directory,
  );
  return { storeId, connectorSecret };
}

/** HOLDFAST_PUBLIC_URL when set (behind a proxy), else the scheme and host the request came in on. */
export function publicUrlFrom(env: NodeJS.ProcessEnv): (req: IncomingMessage) => string {
  const configured = env.HOLDFAST_PUBLIC_URL?.replace(/\/+$/, "");
  return (req) => configured ?? `${"encrypted" in req.socket && req.socket.encrypted ? "https" : "http"}://${req.headers.host ?? "localhost"}`;
}

export function connectorDeps(
  parts: ConnectorParts,
  options: { adminToken?: string; consoleCookie?: (request: Request) => string; logger: Logger; env?: NodeJS.ProcessEnv },
): ConnectorDeps {
  const catalog = new PrismaConnectorCatalog(parts.db);
  return {
    keyrings: parts.storefront.keyrings,
    stores: {
      registerWoo: (registration) => registerWooStore(parts, registration),
      connectorSecretOf: (storeId) => wooConnectorSecret(parts.db, parts.masterKey.key, storeId),
    },
    dropsOf: (storeId) => catalog.dropsOf(storeId),
    spendOnce: async (id, ttlSeconds) => (await parts.redis.set(connectorSpentKey(id), "1", "EX", ttlSeconds, "NX")) === "OK",
    ...(options.adminToken ? { adminToken: options.adminToken } : {}),
    ...(options.consoleCookie ? { consoleCookie: options.consoleCookie } : {}),
    publicUrl: publicUrlFrom(options.env ?? process.env),
    clock: systemClock,
    logger: options.logger,
  };
}

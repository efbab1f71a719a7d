import type { IncomingMessage } from "node:http";

import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { KeyringSource } from "../storefront/deps.ts";
import type { ConnectorDrop } from "../../core/sales/connectorDrop.ts";

/** What the plugin sends to register its store, once the connect code checked out. */
export interface WooRegistration {
  siteUrl: string;
  name: string;
  consumerKey: string;
  consumerSecret: string;
  webhookSecret: string;
}

export interface ConnectorDeps {
  /** `forStore(storeId)` signs a store's hold tokens; `forStore(null)` (the operator's) signs connect codes and console links. */
  keyrings: KeyringSource;
  stores: {
    /** Saves (or updates) the WooCommerce store with its credentials and a new connector secret. */
    registerWoo(registration: WooRegistration): Promise<{ storeId: string; connectorSecret: string }>;
    /** The connector secret of an installed WooCommerce store, or null. */
    connectorSecretOf(storeId: string): Promise<string | null>;
  };
  /** The store's scheduled and running drops with platform refs. */
  dropsOf(storeId: string): Promise<ConnectorDrop[]>;
  /** True the first time an id is spent within `ttlSeconds`: connect codes and sign-in links work once. */
  spendOnce(id: string, ttlSeconds: number): Promise<boolean>;
  /** The admin token, for the admin-only connect code endpoint; unset: it and the console sign-in are not mounted. */
  adminToken?: string;
  /** The console's sign-in cookie (Set-Cookie value) for a browser following a sign-in link; the console owns its format. */
  consoleCookie?(request: Request): string;
  /** This service's public origin (no trailing slash), for the webhook and sign-in URLs it hands out. */
  publicUrl(req: IncomingMessage): string;
  clock: Clock;
  logger: Logger;
}

/**
 * Shopify's privacy webhooks, across everything Holdfast keeps: SQL (orders, ledger, reports)
 * and each sale's hot data in Redis (per-customer counts, holds, reserve keys, order -> hold
 * entries, the ledger stream), for every sale of the shop, running or ended.
 *
 * - customers/data_request: a report of the customer's data, sealed and kept for the merchant
 *   to download from the admin (Settings > Privacy requests), who answers the customer.
 * - customers/redact: the customer's reference goes from SQL and from every sale's Redis data.
 * - shop/redact: every key of the shop's sales (SCAN by each sale's hash-tagged prefix, never a
 *   FLUSH: Redis may be shared) and of the store, then every SQL row of the shop.
 */
import type { Cluster, Redis } from "ioredis";

import type { HoldEngine } from "../core/inventory/index.ts";
import { saleKeysPattern, storeKeyPatterns } from "../core/keys.ts";
import type { RedisClient } from "../core/redis.ts";
import { openJson, seal } from "../core/secrets/index.ts";
import type { Db } from "../db/client.server.ts";
import { StoreRecords } from "../db/StoreRecords.ts";
import { customerDataReport, findShopifyStore, redactShop as redactShopRows, type CustomerDataReport } from "./shopifyStores.server.ts";

export interface PrivacyDeps {
  db: Db;
  redis: RedisClient;
  holds: HoldEngine;
  masterKey: Buffer;
}

/** The report of one data request: SQL's orders and ledger count, and each sale's live data. */
export interface CustomerReport extends CustomerDataReport {
  receivedAt: string;
  sales: { saleId: string; unitsCounted: number; holds: { holdId: string; expiresAt: string; lines: unknown }[] }[];
}

function reportContext(storeId: string): string {
  return `privacy-report:${storeId}`;
}

/** customers/data_request: builds the report and keeps it sealed for the merchant; returns its id (null: unknown shop). */
export async function recordCustomerDataRequest(deps: PrivacyDeps, shop: string, customerRef: string, orderRefs: string[]): Promise<string | null> {
  const store = await findShopifyStore(deps.db, shop);
  if (!store) return null;
  const records = new StoreRecords(deps.db);
  const base = await customerDataReport(deps.db, shop, customerRef, orderRefs);
  const sales: CustomerReport["sales"] = [];
  for (const saleId of await records.saleIds(store.id)) {
    const data = await deps.holds.customerData(saleId, customerRef);
    if (data.units === 0 && data.holds.length === 0) continue;
    sales.push({
      saleId,
      unitsCounted: data.units,
      holds: data.holds.map((hold) => ({ holdId: hold.holdId, expiresAt: new Date(hold.expiresAt).toISOString(), lines: hold.lines })),
    });
  }
  const report: CustomerReport = { ...base, receivedAt: new Date().toISOString(), sales };
  return records.addPrivacyReport(store.id, customerRef, seal(report, deps.masterKey, reportContext(store.id)));
}

/** The store's data-request reports, newest first (the admin's list). */
export async function listCustomerReports(db: Db, storeId: string): Promise<{ id: string; customerRef: string; createdAt: string }[]> {
  const rows = await new StoreRecords(db).privacyReports(storeId);
  return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() }));
}

/** One report of the store, opened; null when the store has no such report. */
export async function customerReport(db: Db, masterKey: Buffer, storeId: string, id: string): Promise<CustomerReport | null> {
  const row = await new StoreRecords(db).privacyReport(storeId, id);
  return row && (openJson(row.ciphertext, masterKey, reportContext(storeId)) as CustomerReport);
}

export interface CustomerRedaction {
  orders: number;
  ledgerEntries: number;
  sales: number;
  redisLedgerEntries: number;
  holdsRenamed: number;
}

/** customers/redact: the customer goes from SQL and from every sale of the shop in Redis. */
export async function redactCustomer(
  deps: Pick<PrivacyDeps, "db" | "holds">,
  shop: string,
  customerRef: string,
  orderRefs: string[],
): Promise<CustomerRedaction> {
  const none = { orders: 0, ledgerEntries: 0, sales: 0, redisLedgerEntries: 0, holdsRenamed: 0 };
  const store = await findShopifyStore(deps.db, shop);
  if (!store) return none;
  const records = new StoreRecords(deps.db);
  const result = { ...none };
  // Redis first: the persister copies the ledger stream into SQL, so SQL cleared first would
  // take back any event naming the customer that it persisted in between.
  for (const saleId of await records.saleIds(store.id)) {
    const forgotten = await deps.holds.forgetCustomer(saleId, customerRef, orderRefs);
    result.sales += 1;
    result.redisLedgerEntries += forgotten.ledgerEntries;
    result.holdsRenamed += forgotten.holdsRenamed;
  }
  return { ...result, ...(await records.forgetCustomer(store.id, customerRef, orderRefs)) };
}

/** shop/redact: the keys of the shop's sales and store, then its rows (the store last). */
export async function redactShop(deps: Pick<PrivacyDeps, "db" | "redis">, shop: string): Promise<{ storeId: string | null; sales: number; keys: number }> {
  const store = await findShopifyStore(deps.db, shop);
  let keys = 0;
  if (store) {
    const patterns = [...(await new StoreRecords(deps.db).saleIds(store.id)).flatMap(saleKeysPattern), ...storeKeyPatterns(store.id)];
    for (const pattern of patterns) keys += await deleteMatching(deps.redis, pattern);
  }
  const rows = await redactShopRows(deps.db, shop);
  return { ...rows, keys };
}

/** SCAN (every master of a Cluster) and UNLINK what matches one pattern. */
async function deleteMatching(redis: RedisClient, pattern: string): Promise<number> {
  const nodes: Redis[] = isCluster(redis) ? redis.nodes("master") : [redis];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, found] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      // One key at a time: on a Cluster, keys of different slots cannot share a command.
      for (const key of found) deleted += await redis.unlink(key);
    } while (cursor !== "0");
  }
  return deleted;
}

function isCluster(redis: RedisClient): redis is Cluster {
  return "nodes" in redis && typeof redis.nodes === "function";
}

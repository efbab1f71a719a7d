import { createHash } from "node:crypto";

import { InvalidInputError } from "./errors/InvalidInputError.ts";

/**
 * The Redis key layout: every key Holdfast writes is named here and nowhere else. Every key
 * of one sale carries the hash tag `{s:<saleId>}` so that all of them live in one Cluster
 * slot and a multi-key Lua script may touch them together; keys of a store carry its own tag,
 * queue keys their queue's tag.
 */

const ROOT = "hf";
/** Sale and item ids: what may stand inside a key and a Lua field name. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Sale and item ids become parts of keys and fields: no braces, colons or spaces. */
export function assertId(kind: "sale" | "item", id: unknown): asserts id is string {
  if (typeof id !== "string" || !ID_PATTERN.test(id)) {
    throw new InvalidInputError(`invalid_${kind}_id`, `${kind} id must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'`);
  }
}

export function saleTag(saleId: string): string {
  assertId("sale", saleId);
  return `{s:${saleId}}`;
}

/** A SCAN pattern matching every key of one sale (they all start with its tag). */
export function saleKeysPattern(saleId: string): string {
  return `${ROOT}:${saleTag(saleId)}:*`;
}

export interface SaleInventoryKeys {
  meta: string;
  stock: string;
  holds: string;
  expiry: string;
  customers: string;
  requests: string;
  orders: string;
  ledger: string;
  /** What the platform was seen to hold per item (see inventory/lua/includes/platformBook.lua); not part of the common eight. */
  platform: string;
}

/** The order matters: it is the KEYS order every inventory script expects. */
export function saleInventoryKeys(saleId: string): SaleInventoryKeys {
  const prefix = `${ROOT}:${saleTag(saleId)}:`;
  return {
    meta: `${prefix}meta`,
    stock: `${prefix}stock`,
    holds: `${prefix}holds`,
    expiry: `${prefix}expiry`,
    customers: `${prefix}customers`,
    requests: `${prefix}requests`,
    orders: `${prefix}orders`,
    ledger: `${prefix}ledger`,
    platform: `${prefix}platform`,
  };
}

export interface SaleRoomKeys {
  /** hash: state, schedule, admission settings and the ticket/serving counters */
  room: string;
  /** zset: admission batches "<first>-<last>" scored by the time they were admitted */
  admissions: string;
  /** hash: first position of a batch -> passes of that batch spent on a hold */
  spentPasses: string;
  /** hash: pre-queue session binding -> pre-queue number, so a refresh keeps its draw */
  prequeueSessions: string;
}

/** Waiting-room keys share the sale's hash tag, so admission can read its stock atomically. */
export function saleRoomKeys(saleId: string): SaleRoomKeys {
  const prefix = `${ROOT}:${saleTag(saleId)}:`;
  return {
    room: `${prefix}room`,
    admissions: `${prefix}admissions`,
    spentPasses: `${prefix}spent`,
    prequeueSessions: `${prefix}prequeue`,
  };
}

/** Where a sale's own rate-limit counters live (all short-lived). */
export function saleRateLimitPrefix(saleId: string): string {
  return `${ROOT}:${saleTag(saleId)}:rl:`;
}

/**
 * Join rate-limit counters, in the sale's slot so the join script can count them and take a
 * place in one call (on a Cluster too). They expire with their window.
 */
export function joinCounterKeys(saleId: string, addressBucket: string, sessionBinding: string): { address: string; session: string } {
  const prefix = `${saleRateLimitPrefix(saleId)}join:`;
  return { address: `${prefix}ip:${addressBucket}`, session: `${prefix}s:${sessionBinding}` };
}

/** Hold requests of one requester (a session binding) in one sale's window; short-lived. */
export function holdRequestCounterKey(saleId: string, requester: string): string {
  return `${saleRateLimitPrefix(saleId)}hold:${requester}`;
}

/** Marks one admission pass as spent; short-lived (expires with the pass). */
export function spentPassKey(saleId: string, position: number): string {
  return `${ROOT}:${saleTag(saleId)}:pass:${position}`;
}

/** The sales the admission controller looks after (live, pre-queue or scheduled). */
export const ACTIVE_ROOMS_KEY = `${ROOT}:rooms:active`;

/** The admission controller's leader lease, next to the registry it serves (tests use their own registries). */
export function controllerLeaderKey(registryKey: string): string {
  return `${registryKey}:leader`;
}

// --- orders and checkout ------------------------------------------------------------------

/** Serialises the processing of one platform order within its sale. */
export function orderLockKey(saleId: string, orderRef: string): string {
  return `${ROOT}:${saleTag(saleId)}:order-lock:${orderRef}`;
}

/** A headless checkout's record, in the sale's slot so opening it and extending the hold is one script. */
export function checkoutKey(saleId: string, orderId: string): string {
  return `${ROOT}:${saleTag(saleId)}:checkout:${orderId}`;
}

/**
 * zset: order ids of the sale's checkouts opened but not yet taken up by the checkout worker,
 * scored by when they were opened; the sweeper re-enqueues the ones left behind.
 */
export function queuedCheckoutsKey(saleId: string): string {
  return `${ROOT}:${saleTag(saleId)}:checkouts:queued`;
}

/** What the test payment provider charged for an order (idempotent across workers). */
export function testPaymentKey(orderId: string): string {
  return `${ROOT}:pay:test:${orderId}`;
}

// --- queues -------------------------------------------------------------------------------

/** The BullMQ prefix of one queue: a hash tag of its own, so every key of a queue is in one slot. */
export function queuePrefixKey(namespace: string, queue: string): string {
  return `{${namespace}:${queue}}`;
}

/** An intake's dedup marker for one job id, in the same slot as its queue. */
export function intakeSeenKey(queuePrefix: string, jobId: string): string {
  return `${queuePrefix}:seen:${jobId}`;
}

// --- stock write-back ---------------------------------------------------------------------

/**
 * Write-back state lives in Redis next to the sale's stock (same hash tag `{s:<saleId>}`, so
 * one Cluster slot), and survives a worker restart: nothing is kept only in a process.
 */
export interface WriteBackKeys {
  /** hash: itemId -> "<available>|<platformRef>", what the platform was last confirmed to hold from us (or reported) */
  written: string;
  /** string: the ledger stream's last id when the last complete flush read the stock */
  cursor: string;
  /** hash: itemId -> why the platform refused it (fixed by the merchant, then `reconcile --repair`) */
  refused: string;
  /** counter: flush attempts, part of each idempotency key */
  sequence: string;
  /** string: token of the flush running now (one flush per sale at a time) */
  lock: string;
}

export function writeBackKeys(saleId: string): WriteBackKeys {
  const prefix = `${ROOT}:${saleTag(saleId)}:wb:`;
  return { written: `${prefix}written`, cursor: `${prefix}cursor`, refused: `${prefix}refused`, sequence: `${prefix}seq`, lock: `${prefix}lock` };
}

function assertStoreId(storeId: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(storeId)) throw new RangeError(`store id ${JSON.stringify(storeId)} cannot be part of a key`);
}

/**
 * The values recently written to one platform reference of a store (echo protection): a
 * sorted set of values scored by when they stop counting. Hash-tagged by store; the reference
 * is digested (platform refs carry characters that have no business in a key).
 */
export function echoKey(storeId: string, platformRef: string): string {
  assertStoreId(storeId);
  return `${ROOT}:{e:${storeId}}:echo:${createHash("sha256").update(platformRef).digest("hex").slice(0, 32)}`;
}

// --- platforms ----------------------------------------------------------------------------

/** Where processes share a store's platform cost budget (Shopify's throttle). */
export const COST_BUDGET_PREFIX = `${ROOT}:budget:`;

/** A store's cost budget (core/resilience/RedisCostBudget, one Lua script): its books, outstanding reservations and their expiry, one hash tag. */
export function costBudgetKeys(storeId: string, prefix: string = COST_BUDGET_PREFIX): [books: string, outstanding: string, expiry: string] {
  const base = `${prefix}{b:${storeId}}`;
  return [`${base}:books`, `${base}:outstanding`, `${base}:expiry`];
}

/** SCAN patterns of every key of one store (echo guard, learned variants, token lock, cost budget). */
export function storeKeyPatterns(storeId: string, budgetPrefix: string = COST_BUDGET_PREFIX): string[] {
  assertStoreId(storeId);
  return [`${ROOT}:{e:${storeId}}:*`, `${ROOT}:{st:${storeId}}:*`, `${budgetPrefix}{b:${storeId}}*`];
}

/** hash: Shopify inventory item gid -> its variant gid, learned once per item; per store, so shop/redact can drop it. */
export function shopifyItemVariantKey(storeId: string): string {
  assertStoreId(storeId);
  return `${ROOT}:{st:${storeId}}:shopify:item-variant`;
}

/**
 * string: the token of the process refreshing a Shopify store's offline token now (one refresh
 * per shop at a time across processes: Shopify replaces the refresh token on every use).
 */
export function shopifyTokenRefreshLockKey(storeId: string): string {
  assertStoreId(storeId);
  return `${ROOT}:{st:${storeId}}:shopify:token-refresh`;
}

// --- admin pages --------------------------------------------------------------------------

/** The live dashboard's chart samples and the gate that keeps one sample per interval. */
export function dashboardSampleKeys(saleId: string): { samples: string; gate: string } {
  const prefix = `${ROOT}:${saleTag(saleId)}:ui:`;
  return { samples: `${prefix}samples`, gate: `${prefix}sampled` };
}

/** The readiness checklist's manual ticks. */
export function readinessManualKey(saleId: string): string {
  return `${ROOT}:${saleTag(saleId)}:ui:manual`;
}

// --- connector and webhook deliveries -------------------------------------------------------

/** Marks a connector code or sign-in link as used (app/api/connector); expires with it. */
export function connectorSpentKey(id: string): string {
  return `${ROOT}:connector:spent:${id}`;
}

export interface DeliveryInboxKeys {
  /** stream: signed deliveries accepted and not yet processed */
  pending: string;
  /** one drainer at a time */
  lock: string;
}

/** Webhook deliveries kept before they are answered; one hash tag so a drain's keys share a slot. */
export function deliveryInboxKeys(source: string): DeliveryInboxKeys {
  if (!/^[a-z0-9-]{1,32}$/.test(source)) throw new InvalidInputError("invalid_source", "inbox source must be 1-32 characters of a-z, 0-9 or '-'");
  const prefix = `${ROOT}:{inbox:${source}}:`;
  return { pending: `${prefix}pending`, lock: `${prefix}lock` };
}

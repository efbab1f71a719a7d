import { InvalidInputError } from "./errors/InvalidInputError.ts";

/**
 * The Redis key layout. Every key of one sale carries the hash tag `{s:<saleId>}` so that
 * all of them live in one Cluster slot and a multi-key Lua script may touch them together.
 */

const ROOT = "hf";
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

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
export const CONTROLLER_LEADER_KEY = `${ROOT}:rooms:leader`;

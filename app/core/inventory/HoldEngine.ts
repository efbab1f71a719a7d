import { fileURLToPath } from "node:url";

import { CallBatcher } from "../batching/index.ts";
import { InvalidInputError } from "../errors/InvalidInputError.ts";
import { systemClock, type Clock } from "../clock.ts";
import { randomId } from "../randomId.ts";
import { assertId, holdRequestCounterKey, saleInventoryKeys, type SaleInventoryKeys } from "../keys.ts";
import { parseLedgerEntry, replacementFields } from "../ledger/ledgerEntries.ts";
import type { LedgerEntry } from "../ledger/LedgerStore.ts";
import { defineLuaCommands, type LuaCommand } from "../luaScripts.ts";
import type { RedisClient } from "../redis.ts";
import type {
  AdjustResult,
  CommitResult,
  ExpireResult,
  ItemCounters,
  Line,
  PlatformReportResult,
  ReleaseResult,
  ReserveRequest,
  ReserveResult,
  RestorePlan,
  RestoreResult,
  SaleSnapshot,
  SaleStockDefinition,
  SettleRequest,
  SettleResult,
  TakeRequest,
  TakeResult,
} from "./types.ts";
import { assertInteger, assertRef, LIMITS, linesToArgs, normaliseLines } from "./validation.ts";
import { decodeHoldRecord } from "./holdRecord.ts";
import { decodeLines } from "./lineText.ts";

const LUA_DIRECTORY = fileURLToPath(new URL("./lua/", import.meta.url));
const KEY_COUNT = 8;
const COMMANDS = {
  defineSale: { numberOfKeys: KEY_COUNT },
  // Then one requester's rate-limit counter per request of the batch.
  reserve: { numberOfKeys: "variable" },
  release: { numberOfKeys: KEY_COUNT },
  commit: { numberOfKeys: KEY_COUNT },
  take: { numberOfKeys: KEY_COUNT },
  adjust: { numberOfKeys: KEY_COUNT },
  expire: { numberOfKeys: KEY_COUNT },
  snapshot: { numberOfKeys: KEY_COUNT },
  forgetCustomer: { numberOfKeys: KEY_COUNT },
  replaceLedgerEntry: { numberOfKeys: KEY_COUNT },
  restoreSale: { numberOfKeys: KEY_COUNT },
  // The ninth key of these is the sale's platform book.
  settleOrder: { numberOfKeys: KEY_COUNT + 1 },
  platformReport: { numberOfKeys: KEY_COUNT + 1 },
  platformWritten: { numberOfKeys: KEY_COUNT + 1 },
} as const;
type CommandName = keyof typeof COMMANDS;

export interface HoldEngineOptions {
  clock?: Clock;
  /** Expired holds a reserve or take may end before doing its own work. */
  reclaimBatch?: number;
  /** Most reserve requests of one sale sent in one script call (see reserveBatches); default 64. */
  maxReserveBatch?: number;
}

/**
 * One reserve request as reserve.lua reads it, and the key of its requester's rate counter.
 * The record's expiry (now + ttlMs, with the now of the script call) goes between `ids`
 * (hold id, customer, request key) and `rest` when reserveBatch sends the call.
 */
interface ReserveCall {
  counterKey: string;
  ttlMs: number;
  ids: string[];
  rest: (string | number)[];
}

type Reply = (string | number | null)[];

/**
 * The typed face of the inventory scripts. Every method validates its input before Redis
 * sees it, and every state change happens inside one script, so the invariant
 * `available + held + sold == allocated` holds at every moment, under any concurrency.
 */
/** One state change the engine made: the script, its outcome, and how many holds it ended (expire). */
export interface HoldEvent {
  operation: CommandName;
  outcome: string;
  count: number;
}

/** Told of every script the engine ran (metrics); it must not throw and must not wait. */
export type HoldObserver = (event: HoldEvent) => void;

export class HoldEngine {
  private readonly commands: Record<CommandName, LuaCommand>;
  private readonly observers = new Set<HoldObserver>();
  private readonly clock: Clock;
  private readonly reclaimBatch: number;

  private readonly redis: RedisClient;
  /**
   * Reserves of one sale that arrive while earlier ones are in flight go to Redis together
   * in one reserve.lua call: at the peak the script's fixed work and the round trip are paid
   * per batch, not per hold, and each request is still all or nothing, in arrival order.
   */
  private readonly reserveBatches: CallBatcher<ReserveCall, Reply>;

  constructor(redis: RedisClient, options: HoldEngineOptions = {}) {
    this.redis = redis;
    this.commands = defineLuaCommands(redis, LUA_DIRECTORY, COMMANDS, "holdfastInventory_");
    this.clock = options.clock ?? systemClock;
    this.reclaimBatch = options.reclaimBatch ?? 20;
    this.reserveBatches = new CallBatcher((saleId, calls) => this.reserveBatch(saleId, calls), { maxBatch: options.maxReserveBatch ?? 64 });
  }

  /** Creates missing items with their allocation and sets the per-customer limit. */
  async defineSale(saleId: string, definition: SaleStockDefinition): Promise<{ created: number }> {
    assertInteger("invalid_limit", "perCustomerLimit", definition.perCustomerLimit, 0, LIMITS.maxCustomerLimit);
    const items = definition.items;
    if (!Array.isArray(items) || items.length > LIMITS.maxItemsPerSale) {
      throw new InvalidInputError("invalid_items", `items must be a list of at most ${LIMITS.maxItemsPerSale}`);
    }
    const args: (string | number)[] = [definition.perCustomerLimit, this.clock.now()];
    const seen = new Set<string>();
    for (const { itemId, allocation } of items) {
      assertId("item", itemId);
      assertInteger("invalid_allocation", "allocation", allocation, 0, LIMITS.maxAllocation);
      if (seen.has(itemId)) throw new InvalidInputError("duplicate_item", `item ${itemId} is listed twice`);
      seen.add(itemId);
      args.push(itemId, allocation);
    }
    const reply = await this.run("defineSale", saleId, args);
    return { created: Number(reply[1]) };
  }

  /**
   * Rebuilds a sale's lost stock from SQL's counts (lua/restoreSale.lua); refuses, changing
   * nothing, when the sale has stock or meta in Redis.
   */
  async restoreSale(saleId: string, plan: RestorePlan): Promise<RestoreResult> {
    assertInteger("invalid_limit", "perCustomerLimit", plan.perCustomerLimit, 0, LIMITS.maxCustomerLimit);
    if (plan.items.length > LIMITS.maxItemsPerSale) throw new InvalidInputError("invalid_items", `items must be a list of at most ${LIMITS.maxItemsPerSale}`);
    const args: (string | number)[] = [plan.perCustomerLimit, this.clock.now(), plan.items.length];
    for (const item of plan.items) {
      assertId("item", item.itemId);
      assertInteger("invalid_allocation", "allocation", item.allocation, 0, LIMITS.maxAllocation);
      assertInteger("invalid_sold", "sold", item.sold, 0, Number.MAX_SAFE_INTEGER);
      assertInteger("invalid_oversold", "oversold", item.oversold, 0, Number.MAX_SAFE_INTEGER);
      args.push(item.itemId, item.allocation, item.sold, item.oversold);
    }
    args.push(plan.customers.length);
    for (const [customer, units] of plan.customers) {
      assertRef("invalid_customer", "customer", customer);
      args.push(customer, units);
    }
    for (const [orderRef, recordedAs] of plan.orders) {
      assertRef("invalid_order_ref", "orderRef", orderRef);
      args.push(orderRef, recordedAs);
    }
    const reply = await this.run("restoreSale", saleId, args);
    if (reply[0] === "exists") return { outcome: "exists" };
    if (reply[0] === "restored") return { outcome: "restored", items: Number(reply[1]), beyondAllocation: Number(reply[2]) };
    throw unexpected("restoreSale", reply);
  }

  async reserve(saleId: string, request: ReserveRequest): Promise<ReserveResult> {
    const lines = normaliseLines(request.lines);
    assertRef("invalid_customer", "customerId", request.customerId);
    assertRef("invalid_request_id", "requestId", request.requestId);
    assertInteger("invalid_ttl", "ttlMs", request.ttlMs, LIMITS.minTtlMs, LIMITS.maxTtlMs);
    const holdId = randomId();
    // Scoping the key to the customer means one shopper can never replay into another's hold.
    const requestKey = `${request.customerId.length}:${request.customerId}${request.requestId}`;
    const rateLimit = request.rateLimit;
    if (rateLimit) {
      assertRef("invalid_requester", "rateLimit.requester", rateLimit.requester);
      assertInteger("invalid_rate_limit", "rateLimit.limit", rateLimit.limit, 1, Number.MAX_SAFE_INTEGER);
      assertInteger("invalid_rate_limit", "rateLimit.windowMs", rateLimit.windowMs, 1, Number.MAX_SAFE_INTEGER);
    }
    const address = request.address;
    if (address) {
      assertRef("invalid_address", "address.bucket", address.bucket);
      assertInteger("invalid_address_limit", "address.limit", address.limit, 0, LIMITS.maxAllocation);
    }
    // reserve.lua's terms: one value for the request limit and the address (see its header).
    const terms = rateLimit || address ? `${rateLimit?.limit ?? 0}:${rateLimit?.windowMs ?? 0}:${address?.limit ?? 0}:${address?.bucket ?? ""}` : "";
    const rest = [terms, lines.length, ...linesToArgs(lines)];
    const counterKey = holdRequestCounterKey(saleId, rateLimit?.requester ?? "-");
    const reply = await this.reserveBatches.submit(saleId, { counterKey, ttlMs: request.ttlMs, ids: [holdId, request.customerId, requestKey], rest });
    if (this.observers.size > 0) this.notify("reserve", reply);
    switch (reply[0]) {
      case "rate_limited":
        return { outcome: "rate_limited", retryAfterMs: Number(reply[1]) };
      case "reserved":
        return { outcome: "reserved", holdId: String(reply[1]), expiresAt: Number(reply[2]), replayed: reply[3] === 1 };
      case "sold_out":
        return { outcome: "sold_out", itemId: String(reply[1]), available: Number(reply[2]) };
      case "limit_exceeded":
        return { outcome: "limit_exceeded", limit: Number(reply[1]), alreadyCounted: Number(reply[2]) };
      case "address_limit_exceeded":
        return { outcome: "address_limit_exceeded", limit: Number(reply[1]), alreadyCounted: Number(reply[2]) };
      case "not_found":
        return { outcome: "not_found", itemId: reply[1] ? String(reply[1]) : null };
      case "duplicate":
        return { outcome: "duplicate", holdId: String(reply[1]) };
      default:
        throw unexpected("reserve", reply);
    }
  }

  async release(saleId: string, holdId: string): Promise<ReleaseResult> {
    assertRef("invalid_hold_id", "holdId", holdId);
    const reply = await this.run("release", saleId, [holdId, this.clock.now()]);
    if (reply[0] === "released" || reply[0] === "not_found") return { outcome: reply[0] };
    throw unexpected("release", reply);
  }

  async commit(saleId: string, holdId: string, orderRef: string): Promise<CommitResult> {
    assertRef("invalid_hold_id", "holdId", holdId);
    assertRef("invalid_order_ref", "orderRef", orderRef);
    const reply = await this.run("commit", saleId, [holdId, orderRef, this.clock.now()]);
    switch (reply[0]) {
      case "committed":
        return { outcome: "committed", customerId: String(reply[1]), lines: decodeLines(String(reply[2])) };
      case "duplicate":
        return { outcome: "duplicate", holdId: reply[1] === "take" ? null : String(reply[1]) };
      case "not_found":
        return { outcome: "not_found" };
      default:
        throw unexpected("commit", reply);
    }
  }

  async take(saleId: string, request: TakeRequest): Promise<TakeResult> {
    const lines = normaliseLines(request.lines);
    assertRef("invalid_order_ref", "orderRef", request.orderRef);
    if (request.customerId !== undefined) assertRef("invalid_customer", "customerId", request.customerId);
    const reply = await this.run("take", saleId, [request.orderRef, request.customerId ?? "", this.clock.now(), this.reclaimBatch, ...linesToArgs(lines)]);
    switch (reply[0]) {
      case "taken":
        return { outcome: "taken", customerUnits: Number(reply[1]) };
      case "duplicate":
        return { outcome: "duplicate", holdId: reply[1] === "take" ? null : String(reply[1]) };
      case "sold_out":
        return { outcome: "sold_out", itemId: String(reply[1]), available: Number(reply[2]) };
      case "not_found":
        return { outcome: "not_found", itemId: reply[1] ? String(reply[1]) : null };
      default:
        throw unexpected("take", reply);
    }
  }

  /**
   * Settles a platform order line by line (see lua/settleOrder.lua): held units it bought are
   * committed, held units it did not buy released, the rest taken from available, and what
   * the sale did not have is recorded as oversold.
   */
  async settleOrder(saleId: string, request: SettleRequest): Promise<SettleResult> {
    const lines = normaliseLines(request.lines);
    assertRef("invalid_order_ref", "orderRef", request.orderRef);
    if (request.customerId !== undefined) assertRef("invalid_customer", "customerId", request.customerId);
    if (!Array.isArray(request.holdIds) || request.holdIds.length > LIMITS.maxLines) {
      throw new InvalidInputError("invalid_hold_ids", `holdIds must be a list of at most ${LIMITS.maxLines}`);
    }
    for (const holdId of request.holdIds) assertRef("invalid_hold_id", "holdId", holdId);
    const holdIds = [...new Set(request.holdIds)];
    const reply = await this.runWithBook("settleOrder", saleId, [
      request.orderRef,
      request.customerId ?? "",
      this.clock.now(),
      this.reclaimBatch,
      holdIds.length,
      ...holdIds,
      ...linesToArgs(lines),
    ]);
    switch (reply[0]) {
      case "settled":
        return {
          outcome: "settled",
          holdId: reply[1] === "take" ? null : String(reply[1]),
          committed: decodeLines(String(reply[2])),
          released: decodeLines(String(reply[3])),
          taken: decodeLines(String(reply[4])),
          oversold: decodeLines(String(reply[5])),
          settledHolds: reply[6] === "" ? [] : String(reply[6]).split(","),
        };
      case "duplicate":
        return { outcome: "duplicate", holdId: reply[1] === "take" ? null : String(reply[1]) };
      case "not_found":
        return { outcome: "not_found", itemId: reply[1] ? String(reply[1]) : null };
      default:
        throw unexpected("settleOrder", reply);
    }
  }

  /**
   * A platform's report of an item's stock that is not our own write coming back (see
   * lua/platformReport.lua): unexplained decreases leave available, restocks join the allocation.
   */
  async platformReport(saleId: string, itemId: string, reported: number): Promise<PlatformReportResult> {
    assertId("item", itemId);
    assertInteger("invalid_available", "reported", reported, -LIMITS.maxAllocation, LIMITS.maxAllocation);
    const reply = await this.runWithBook("platformReport", saleId, [itemId, reported, this.clock.now()]);
    switch (reply[0]) {
      case "applied":
        return { outcome: "applied", availableChange: Number(reply[1]), restocked: Number(reply[2]), available: Number(reply[3]) };
      case "baseline":
        return { outcome: "baseline", available: Number(reply[1]) };
      case "not_found":
        return { outcome: "not_found" };
      default:
        throw unexpected("platformReport", reply);
    }
  }

  /** The write-back's confirmed counts become each item's new platform base. */
  async platformWritten(saleId: string, counts: readonly { itemId: string; available: number }[]): Promise<void> {
    if (counts.length === 0) return;
    const args: (string | number)[] = [];
    for (const { itemId, available } of counts) {
      assertId("item", itemId);
      assertInteger("invalid_available", "available", available, 0, LIMITS.maxAllocation);
      args.push(itemId, available);
    }
    await this.runWithBook("platformWritten", saleId, args);
  }

  /** Restock (delta > 0) or reduce (delta < 0) an item; reductions only take available units. */
  async adjust(saleId: string, itemId: string, delta: number): Promise<AdjustResult> {
    assertId("item", itemId);
    assertInteger("invalid_delta", "delta", delta, -LIMITS.maxAllocation, LIMITS.maxAllocation);
    if (delta === 0) throw new InvalidInputError("invalid_delta", "delta must not be 0");
    const reply = await this.run("adjust", saleId, [itemId, delta, this.clock.now()]);
    switch (reply[0]) {
      case "adjusted":
        return {
          outcome: "adjusted",
          allocated: Number(reply[1]),
          available: Number(reply[2]),
          held: Number(reply[3]),
          sold: Number(reply[4]),
        };
      case "insufficient":
        return { outcome: "insufficient", available: Number(reply[1]) };
      case "not_found":
        return { outcome: "not_found" };
      default:
        throw unexpected("adjust", reply);
    }
  }

  /** Ends up to `max` expired holds; `more` tells a sweeper to come back at once. */
  async expire(saleId: string, max = 500): Promise<ExpireResult> {
    assertInteger("invalid_max", "max", max, 1, 10_000);
    const reply = await this.run("expire", saleId, [this.clock.now(), max]);
    return { ended: Number(reply[0]), more: reply[1] === 1 };
  }

  /**
   * Privacy: removes a customer from the sale's hot data. Their per-customer count, their
   * reserve idempotency keys and the order -> hold entries of `orderRefs` go; their holds stay
   * (the stock they hold is real) under the name "redacted"; their ledger events stay, without
   * the customer (as the SQL ledger keeps them, see the caller) and without the order
   * references of `orderRefs`: an event dropped before it was persisted would leave SQL short
   * of a hold, which the Reconciler reports as drift and recovery would miss. A stream entry
   * cannot be edited, so each entry naming them is replaced by one carrying its events under
   * their original stream id and parts (lua/replaceLedgerEntry.lua): what SQL already holds
   * is not stored twice.
   */
  async forgetCustomer(saleId: string, customer: string, orderRefs: readonly string[]): Promise<ForgetCustomerResult> {
    const keys = saleInventoryKeys(saleId);
    const requestPrefix = `${customer.length}:${customer}`;
    const reply = (await this.commands.forgetCustomer(keyList(keys), [customer, requestPrefix, REDACTED_CUSTOMER, ...orderRefs])) as number[];
    const forgottenOrders = new Set(orderRefs);
    // The event without the customer and the forgotten orders; null when it names neither.
    const redacted = (event: LedgerEntry): LedgerEntry | null => {
      const customerRef = event.customerRef === customer ? null : event.customerRef;
      const orderRef = event.orderRef !== null && forgottenOrders.has(event.orderRef) ? null : event.orderRef;
      return customerRef === event.customerRef && orderRef === event.orderRef ? null : { ...event, customerRef, orderRef };
    };
    let ledgerEntries = 0;
    let start = "-";
    for (;;) {
      const page = (await this.redis.xrange(keys.ledger, start, "+", "COUNT", 500)) as [string, string[]][];
      for (const [id, fields] of page) {
        const events = parseLedgerEntry(id, fields);
        const changed = events.map(redacted);
        const named = changed.filter((event) => event !== null).length;
        if (named === 0) continue;
        const kept = events.map((event, index) => changed[index] ?? event);
        // A replacement lands at the end of the stream: this loop reads it again and passes it by.
        if (Number(await this.commands.replaceLedgerEntry(keyList(keys), [id, ...replacementFields(kept)])) === 1) ledgerEntries += named;
      }
      if (page.length < 500) break;
      start = `(${page[page.length - 1]![0]}`;
    }
    return { counts: Number(reply[0]), holdsRenamed: Number(reply[1]), requestKeys: Number(reply[2]), orderEntries: Number(reply[3]), ledgerEntries };
  }

  /** What the sale's hot data holds about one customer (customers/data_request). */
  async customerData(saleId: string, customer: string): Promise<{ units: number; holds: { holdId: string; expiresAt: number; lines: Line[] }[] }> {
    const keys = saleInventoryKeys(saleId);
    const units = Number((await this.redis.hget(keys.customers, customer)) ?? 0);
    const holds: { holdId: string; expiresAt: number; lines: Line[] }[] = [];
    let cursor = "0";
    do {
      const [next, fields] = await this.redis.hscan(keys.holds, cursor, "COUNT", 500);
      cursor = next;
      for (let i = 0; i < fields.length; i += 2) {
        const hold = decodeHoldRecord(fields[i + 1] ?? "");
        if (hold.customer === customer) holds.push({ holdId: fields[i] ?? "", expiresAt: hold.expiresAt, lines: hold.lines });
      }
    } while (cursor !== "0");
    return { units, holds };
  }

  /** All counters of a sale at one instant; null for a sale that was never defined. */
  async snapshot(saleId: string): Promise<SaleSnapshot | null> {
    const reply = (await this.run("snapshot", saleId, [])) as unknown as [string | null, number, string[], string[]];
    const [limit, activeHolds, flatStock, flatOversold] = reply;
    if (limit === null) return null;
    const items: Record<string, ItemCounters> = {};
    for (let i = 0; i < flatStock.length; i += 2) {
      const field = flatStock[i] ?? "";
      const separator = field.lastIndexOf(":");
      const itemId = field.slice(0, separator);
      const counters = (items[itemId] ??= { allocated: 0, available: 0, held: 0, sold: 0 });
      counters[COUNTER_NAMES[field.slice(separator + 1)] ?? "allocated"] = Number(flatStock[i + 1]);
    }
    const oversold: Record<string, number> = {};
    for (let i = 0; i < flatOversold.length; i += 2) oversold[flatOversold[i] ?? ""] = Number(flatOversold[i + 1]);
    return { perCustomerLimit: Number(limit), activeHolds, items, oversold };
  }

  /** Subscribes to the engine's outcomes (metrics); returns the unsubscribe. */
  observe(observer: HoldObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  private async reserveBatch(saleId: string, calls: readonly ReserveCall[]): Promise<Reply[]> {
    const keys = keyList(saleInventoryKeys(saleId));
    const now = this.clock.now();
    const args: (string | number)[] = [now, this.reclaimBatch];
    for (const call of calls) {
      keys.push(call.counterKey);
      args.push(...call.ids, now + call.ttlMs, ...call.rest);
    }
    const replies = (await this.commands.reserve(keys, args)) as (Reply | "reserved")[];
    // A new hold answers bare 'reserved' (see reserve.lua): its id and expiry are the ones sent.
    return replies.map((reply, index) => {
      if (reply !== "reserved") return reply;
      const call = calls[index]!;
      return ["reserved", call.ids[0]!, now + call.ttlMs, 0];
    });
  }

  private async run(command: CommandName, saleId: string, args: (string | number)[]): Promise<Reply> {
    const keys = saleInventoryKeys(saleId);
    const reply = (await this.commands[command](keyList(keys), args)) as Reply;
    if (this.observers.size > 0) this.notify(command, reply);
    return reply;
  }

  private notify(command: CommandName, reply: Reply): void {
    // Every script answers its outcome first; expire answers how many holds it ended.
    const event: HoldEvent =
      command === "expire" ? { operation: command, outcome: "expired", count: Number(reply[0]) } : { operation: command, outcome: String(reply[0]), count: 1 };
    for (const observer of this.observers) observer(event);
  }

  private async runWithBook(command: CommandName, saleId: string, args: (string | number)[]): Promise<Reply> {
    const keys = saleInventoryKeys(saleId);
    return (await this.commands[command]([...keyList(keys), keys.platform], args)) as Reply;
  }
}

/** What a redacted customer's holds name instead of the customer. */
export const REDACTED_CUSTOMER = "redacted";

export interface ForgetCustomerResult {
  counts: number;
  holdsRenamed: number;
  requestKeys: number;
  orderEntries: number;
  /** The customer's ledger events in the stream that no longer name them (one per hold, also inside a batched entry). */
  ledgerEntries: number;
}

const COUNTER_NAMES: Record<string, keyof ItemCounters> = {
  alloc: "allocated",
  avail: "available",
  held: "held",
  sold: "sold",
};

/** The eight keys every inventory script takes first, in the order includes/saleKeys.lua reads them. */
export function inventoryScriptKeys(saleId: string): string[] {
  return keyList(saleInventoryKeys(saleId));
}

function keyList(keys: SaleInventoryKeys): string[] {
  return [keys.meta, keys.stock, keys.holds, keys.expiry, keys.customers, keys.requests, keys.orders, keys.ledger];
}

function unexpected(command: string, reply: Reply): Error {
  return new Error(`inventory script ${command} answered ${JSON.stringify(reply)}`);
}

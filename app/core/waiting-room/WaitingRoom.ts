import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

import { systemClock, type Clock } from "../clock.ts";
import { ACTIVE_ROOMS_KEY, joinCounterKeys, saleInventoryKeys, saleRoomKeys, spentPassKey } from "../keys.ts";
import { defineLuaCommands, type LuaArgument, type LuaCommand } from "../luaScripts.ts";
import type { RateLimitRule } from "../rate-limit/index.ts";
import type { RedisClient } from "../redis.ts";
import { CallBatcher } from "../batching/index.ts";
import { JOIN_BATCH_DEFAULTS, joinLane, type BatchedJoin, type JoinBatchOptions } from "./joinBatching.ts";
import { roundKeys } from "./shuffle.ts";
import { RATE_WINDOW_MS } from "./status.ts";
import type { AdmissionBatch, AdmissionMode, PassClaims, RoomSettings, RoomState, RoomView } from "./types.ts";

const LUA_DIRECTORY = fileURLToPath(new URL("./lua/", import.meta.url));
const COMMANDS = {
  configureRoom: { numberOfKeys: 1 },
  setRoomState: { numberOfKeys: 1 },
  // Two keys per join follow the room's two: the count goes with each call.
  joinRoomBatch: { numberOfKeys: "variable" },
  admit: { numberOfKeys: 5 },
  roomView: { numberOfKeys: 2 },
  spendPass: { numberOfKeys: 2 },
  returnPass: { numberOfKeys: 2 },
} as const;

export type JoinResult =
  | { outcome: "prequeue"; number: number }
  | { outcome: "queue"; number: number }
  | { outcome: "closed"; state: RoomState | null }
  | { outcome: "limited"; retryAfterMs: number };

/** The join limits the join script counts before it gives a place. */
export interface JoinLimits {
  /** The client's address bucket (IPv4 address or IPv6 /64). */
  address: string;
  perAddress: RateLimitRule;
  perSession: RateLimitRule;
}

export type TransitionResult = { outcome: "ok"; state: RoomState } | { outcome: "invalid"; state: RoomState } | { outcome: "not_found" };

export interface AdmitResult {
  state: RoomState | null;
  admitted: number;
  serving: number;
  waiting: number;
  soldOut: boolean;
}

export interface WaitingRoomOptions {
  clock?: Clock;
  /** Set of rooms the admission controller looks after; tests use their own. */
  registryKey?: string;
  /** How joins are gathered into one Redis call per batch (the fairness bound is `maxWaitMs`). */
  joinBatch?: JoinBatchOptions;
}

/** The waiting room's state in Redis: one hash of counters per sale, no per-shopper keys. */
export class WaitingRoom {
  readonly registryKey: string;
  private readonly commands: Record<keyof typeof COMMANDS, LuaCommand>;
  private readonly clock: Clock;
  private readonly joins: CallBatcher<BatchedJoin, JoinResult>;

  constructor(
    private readonly redis: RedisClient,
    options: WaitingRoomOptions = {},
  ) {
    this.commands = defineLuaCommands(redis, LUA_DIRECTORY, COMMANDS, "holdfastRoom_");
    this.clock = options.clock ?? systemClock;
    this.registryKey = options.registryKey ?? ACTIVE_ROOMS_KEY;
    // One call in flight per sale: a join waits for its reply or maxWaitMs, which bounds how
    // far out of order two processes can number their shoppers (see joinBatching.ts).
    this.joins = new CallBatcher((_lane, joins) => this.joinBatch(joins), {
      maxInFlight: 1,
      maxWaitMs: options.joinBatch?.maxWaitMs ?? JOIN_BATCH_DEFAULTS.maxWaitMs,
      maxBatch: options.joinBatch?.maxBatch ?? JOIN_BATCH_DEFAULTS.maxBatch,
    });
  }

  /** Writes schedule and admission settings; a new room starts `scheduled` (or in its pre-queue). */
  async configure(saleId: string, settings: RoomSettings, initialState: "scheduled" | "prequeue" = "scheduled"): Promise<RoomState> {
    const keys = saleRoomKeys(saleId);
    const pairs: (string | number)[] = [
      "mode",
      settings.mode,
      "perMinute",
      settings.perMinute ?? 0,
      "maxActive",
      settings.maxActive ?? 0,
      "passMs",
      settings.passMinutes * 60_000,
      "holdMs",
      settings.holdMinutes * 60_000,
      "storeId",
      settings.storeId ?? "",
      "prequeueAt",
      settings.prequeueAt ?? "",
      "startsAt",
      settings.startsAt ?? "",
      "endsAt",
      settings.endsAt ?? "",
      "storeHoldsOnly",
      settings.holdsThroughStoreOnly ? 1 : 0,
    ];
    const state = (await this.commands.configureRoom([keys.room], [initialState, ...pairs])) as RoomState;
    await this.track(saleId, state);
    return state;
  }

  /**
   * The registry lives outside the sale's hash tag (it spans sales), so it is updated after
   * the room's own script; a controller tick tolerates and drops ended rooms it still lists.
   */
  private async track(saleId: string, state: RoomState): Promise<void> {
    if (state === "ended") await this.redis.srem(this.registryKey, saleId);
    else await this.redis.sadd(this.registryKey, saleId);
  }

  async forget(saleId: string): Promise<void> {
    await this.redis.srem(this.registryKey, saleId);
  }

  async transition(saleId: string, target: "prequeue" | "live" | "paused" | "ended"): Promise<TransitionResult> {
    const keys = saleRoomKeys(saleId);
    const seed = randomBytes(16).toString("hex");
    const reply = (await this.commands.setRoomState([keys.room], [target, this.clock.now(), seed])) as [string, string?];
    if (reply[0] === "not_found") return { outcome: "not_found" };
    const state = reply[1] as RoomState;
    if (reply[0] === "ok") await this.track(saleId, state);
    return { outcome: reply[0] === "ok" ? "ok" : "invalid", state };
  }

  /**
   * A place in line: counts the join limits (when given), then takes a pre-queue draw or the
   * next number. The joins this process receives for a sale while its previous call is in
   * flight share the next call (CallBatcher), so a burst costs one round trip per batch.
   * Without limits nothing but the place is touched.
   */
  join(saleId: string, sessionBinding: string, limits?: JoinLimits): Promise<JoinResult> {
    const rules = limits ? { perAddress: limits.perAddress, perSession: limits.perSession } : null;
    return this.joins.submit(joinLane(saleId, rules), { saleId, rules, sessionBinding, address: limits?.address ?? "-" });
  }

  /** One script call for joins of one lane (one sale, one set of limits), in arrival order. */
  private async joinBatch(joins: readonly BatchedJoin[]): Promise<JoinResult[]> {
    const first = joins[0];
    if (first === undefined) return [];
    const { saleId, rules } = first;
    const room = saleRoomKeys(saleId);
    const keys: string[] = [room.room, room.prequeueSessions];
    const args: LuaArgument[] = [rules?.perAddress.limit ?? 0, rules?.perAddress.windowMs ?? 0, rules?.perSession.limit ?? 0, rules?.perSession.windowMs ?? 0];
    for (const join of joins) {
      const counters = joinCounterKeys(saleId, join.address, join.sessionBinding);
      keys.push(counters.address, counters.session);
      args.push(join.sessionBinding);
    }
    const reply = (await this.commands.joinRoomBatch(keys, args)) as (string | number | null)[];
    const results: JoinResult[] = [];
    for (let i = 0; i < reply.length; i += 2) results.push(joinResult(reply[i] ?? null, Number(reply[i + 1])));
    return results;
  }

  /** One admission tick for one room (the controller calls it for every active room). */
  async admit(saleId: string): Promise<AdmitResult> {
    const room = saleRoomKeys(saleId);
    const stock = saleInventoryKeys(saleId);
    const reply = (await this.commands.admit([room.room, room.admissions, room.spentPasses, stock.stock, stock.holds], [this.clock.now()])) as [
      string | null,
      number,
      number,
      number,
      number,
    ];
    return { state: (reply[0] || null) as RoomState | null, admitted: reply[1], serving: reply[2], waiting: reply[3], soldOut: reply[4] === 1 };
  }

  async view(saleId: string): Promise<RoomView | null> {
    const keys = saleRoomKeys(saleId);
    const now = this.clock.now();
    const [flat, batchesFlat] = (await this.commands.roomView([keys.room, keys.admissions], [now, RATE_WINDOW_MS])) as [string[], string[]];
    if (flat.length === 0) return null;
    const room = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) room.set(flat[i] as string, flat[i + 1] as string);
    const batches: AdmissionBatch[] = [];
    for (let i = 0; i < batchesFlat.length; i += 2) {
      const [first, last] = (batchesFlat[i] as string).split("-").map(Number);
      batches.push({ first: first ?? 0, last: last ?? 0, at: Number(batchesFlat[i + 1]) });
    }
    const time = (name: string) => (room.get(name) ? Number(room.get(name)) : null);
    const count = (name: string) => Number(room.get(name) ?? 0);
    return {
      state: room.get("state") as RoomState,
      mode: (room.get("mode") ?? "off") as AdmissionMode,
      perMinute: count("perMinute"),
      maxActive: count("maxActive"),
      passMs: count("passMs"),
      holdMs: count("holdMs"),
      storeId: room.get("storeId") || null,
      holdsThroughStoreOnly: room.get("storeHoldsOnly") === "1",
      prequeueAt: time("prequeueAt"),
      startsAt: time("startsAt"),
      endsAt: time("endsAt"),
      prequeued: count("prequeued"),
      issued: count("issued"),
      serving: count("serving"),
      seedKeys: roundKeys(room.get("seed") ?? ""),
      soldOut: room.get("soldOut") === "1",
      batches,
    };
  }

  /** Spends a pass on a hold request; a retry of the same request may spend it again. */
  async spendPass(saleId: string, pass: PassClaims, requestId: string): Promise<"spent" | "replay" | "used"> {
    const ttl = Math.max(pass.exp * 1_000 - this.clock.now(), 1);
    return (await this.commands.spendPass([spentPassKey(saleId, pass.pos), saleRoomKeys(saleId).spentPasses], [requestId, ttl, pass.b])) as
      "spent" | "replay" | "used";
  }

  async returnPass(saleId: string, pass: PassClaims, requestId: string): Promise<boolean> {
    return (await this.commands.returnPass([spentPassKey(saleId, pass.pos), saleRoomKeys(saleId).spentPasses], [requestId, pass.b])) === 1;
  }

  async activeRooms(): Promise<string[]> {
    return this.redis.smembers(this.registryKey);
  }
}

function joinResult(outcome: string | number | null, value: number): JoinResult {
  if (outcome === "prequeue" || outcome === "queue") return { outcome, number: value };
  if (outcome === "limited") return { outcome, retryAfterMs: value };
  return { outcome: "closed", state: (outcome || null) as RoomState | null };
}

import type { RateLimitRule } from "../rate-limit/index.ts";

// How a process gathers its joins into one script call per batch and sale (WaitingRoom.join,
// on core/batching's CallBatcher): the settings, the fairness bound they give, and the rules a
// batch shares.

/** One shopper's join as the batch script takes it. */
export interface BatchedJoin {
  sessionBinding: string;
  /** The client's address bucket; "-" when the join counts no limits. */
  address: string;
}

/** The join limits every join of one batch is counted against (a process has one set). */
export interface BatchRules {
  perAddress: RateLimitRule;
  perSession: RateLimitRule;
}

export interface JoinBatchOptions {
  /**
   * The fairness bound: the longest a join waits in its process before it is sent to Redis
   * (ms). A join that arrives while its sale's previous batch is in flight goes out when that
   * reply arrives, or after this long, whichever is first; so across processes no join is
   * numbered after another that reached its process more than this long later (plus the
   * difference of the two processes' own latency to Redis, which one call per join had too).
   */
  maxWaitMs?: number;
  /** A batch this large is sent at once, in flight or not: bounds one script's run in Redis. */
  maxBatch?: number;
}

export const JOIN_BATCH_DEFAULTS = { maxWaitMs: 5, maxBatch: 128 } as const;

export const JOIN_MAX_WAIT_VARIABLE = "HOLDFAST_JOIN_MAX_WAIT_MS";

/** The batcher's settings from the environment: HOLDFAST_JOIN_MAX_WAIT_MS (1-1000, default 5). */
export function joinBatchOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): JoinBatchOptions {
  const raw = env[JOIN_MAX_WAIT_VARIABLE]?.trim();
  if (!raw) return {};
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1_000) {
    throw new Error(`${JOIN_MAX_WAIT_VARIABLE} must be a whole number of milliseconds from 1 to 1000; got "${raw}"`);
  }
  return { maxWaitMs: Number(raw) };
}

/** Joins under the same rules travel together; a change of rules (rare: a process has one set) starts a new call. */
export function sameRules(a: BatchRules | null, b: BatchRules | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return (
    a.perAddress.limit === b.perAddress.limit &&
    a.perAddress.windowMs === b.perAddress.windowMs &&
    a.perSession.limit === b.perSession.limit &&
    a.perSession.windowMs === b.perSession.windowMs
  );
}

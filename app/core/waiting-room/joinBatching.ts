import type { RateLimitRule } from "../rate-limit/index.ts";

// How a process gathers its joins into one script call per batch and sale (WaitingRoom.join,
// on core/batching's CallBatcher): the settings, the fairness bound they give, and the lane a
// join waits in.

/** One shopper's join as the batch script takes it. */
export interface BatchedJoin {
  saleId: string;
  /** The limits it counts against; null: none. */
  rules: BatchRules | null;
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

/**
 * The batcher's lane of a join: one script call takes one sale and one set of limits, so joins
 * share a call only with joins of the same sale under the same limits (a process has one set,
 * so in practice one lane per sale).
 */
export function joinLane(saleId: string, rules: BatchRules | null): string {
  if (rules === null) return saleId;
  const { perAddress, perSession } = rules;
  return `${saleId} ${perAddress.limit}/${perAddress.windowMs} ${perSession.limit}/${perSession.windowMs}`;
}

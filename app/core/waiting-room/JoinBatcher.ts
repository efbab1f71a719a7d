import type { RateLimitRule } from "../rate-limit/index.ts";

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

export interface JoinBatcherOptions {
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
export function joinBatchOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): JoinBatcherOptions {
  const raw = env[JOIN_MAX_WAIT_VARIABLE]?.trim();
  if (!raw) return {};
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1_000) {
    throw new Error(`${JOIN_MAX_WAIT_VARIABLE} must be a whole number of milliseconds from 1 to 1000; got "${raw}"`);
  }
  return { maxWaitMs: Number(raw) };
}

/** Sends one batch (one script call) and answers one outcome per join, in order. */
export type SendJoinBatch<Outcome> = (saleId: string, rules: BatchRules | null, joins: readonly BatchedJoin[]) => Promise<Outcome[]>;

interface Waiting<Outcome> {
  join: BatchedJoin;
  rules: BatchRules | null;
  resolve: (outcome: Outcome) => void;
  reject: (error: unknown) => void;
}

interface SaleLine<Outcome> {
  pending: Waiting<Outcome>[];
  inFlight: number;
  timer: NodeJS.Timeout | null;
  immediate: NodeJS.Immediate | null;
}

/**
 * Coalesces the joins one process receives into one Redis call per batch and sale. The first
 * join finds nothing in flight and is sent at the end of the current event-loop turn (with
 * every join that turn brought); joins arriving while a batch is in flight gather into the
 * next one, sent when the previous reply arrives, when it reaches `maxBatch`, or when its
 * oldest join has waited `maxWaitMs`. Joins keep their arrival order within the process, the
 * script numbers a batch's places in that order, and a batch that fails fails each of its
 * joins with the same error; the next batch is sent as usual.
 */
export class JoinBatcher<Outcome> {
  private readonly lines = new Map<string, SaleLine<Outcome>>();
  private readonly maxWaitMs: number;
  private readonly maxBatch: number;

  constructor(
    private readonly send: SendJoinBatch<Outcome>,
    options: JoinBatcherOptions = {},
  ) {
    this.maxWaitMs = options.maxWaitMs ?? JOIN_BATCH_DEFAULTS.maxWaitMs;
    this.maxBatch = Math.max(1, options.maxBatch ?? JOIN_BATCH_DEFAULTS.maxBatch);
  }

  join(saleId: string, join: BatchedJoin, rules: BatchRules | null): Promise<Outcome> {
    let line = this.lines.get(saleId);
    if (line === undefined) {
      line = { pending: [], inFlight: 0, timer: null, immediate: null };
      this.lines.set(saleId, line);
    }
    const target = line;
    const promise = new Promise<Outcome>((resolve, reject) => target.pending.push({ join, rules, resolve, reject }));
    if (line.pending.length >= this.maxBatch) this.flush(saleId, line);
    else if (line.pending.length === 1) this.schedule(saleId, line);
    return promise;
  }

  private schedule(saleId: string, line: SaleLine<Outcome>): void {
    const target = line;
    if (line.inFlight === 0) line.immediate = setImmediate(() => this.flush(saleId, target));
    else line.timer = setTimeout(() => this.flush(saleId, target), this.maxWaitMs);
  }

  private flush(saleId: string, line: SaleLine<Outcome>): void {
    if (line.timer !== null) clearTimeout(line.timer);
    if (line.immediate !== null) clearImmediate(line.immediate);
    line.timer = null;
    line.immediate = null;
    while (line.pending.length > 0) {
      // One batch per run of joins under the same rules (in practice, all of them).
      const rules = line.pending[0]?.rules ?? null;
      let end = 1;
      while (end < line.pending.length && end < this.maxBatch && sameRules(line.pending[end]?.rules ?? null, rules)) end++;
      this.sendBatch(saleId, line, rules, line.pending.splice(0, end));
    }
  }

  private sendBatch(saleId: string, line: SaleLine<Outcome>, rules: BatchRules | null, batch: Waiting<Outcome>[]): void {
    line.inFlight++;
    const settled = () => {
      line.inFlight--;
      if (line.pending.length > 0) {
        if (line.inFlight === 0) this.flush(saleId, line);
      } else if (line.inFlight === 0 && this.lines.get(saleId) === line) {
        this.lines.delete(saleId);
      }
    };
    let sent: Promise<Outcome[]>;
    try {
      sent = this.send(
        saleId,
        rules,
        batch.map((waiting) => waiting.join),
      );
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (outcomes) => {
        settled();
        batch.forEach((waiting, i) => {
          const outcome = outcomes[i];
          if (outcome === undefined) waiting.reject(new Error(`join batch answered ${outcomes.length} outcomes for ${batch.length} joins`));
          else waiting.resolve(outcome);
        });
      },
      (error: unknown) => {
        settled();
        for (const waiting of batch) waiting.reject(error);
      },
    );
  }
}

function sameRules(a: BatchRules | null, b: BatchRules | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return (
    a.perAddress.limit === b.perAddress.limit &&
    a.perAddress.windowMs === b.perAddress.windowMs &&
    a.perSession.limit === b.perSession.limit &&
    a.perSession.windowMs === b.perSession.windowMs
  );
}

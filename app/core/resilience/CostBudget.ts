import { systemClock, type Clock } from "../clock.ts";
import { PlatformError } from "../platform/PlatformError.ts";

/** A platform's leaky bucket as it reports it (Shopify: extensions.cost.throttleStatus). */
export interface BucketStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  /** Points restored per second. */
  restoreRate: number;
}

export interface CostBudgetOptions {
  clock?: Clock;
  /** Longest a caller waits for budget; past it `acquire` throws throttled with retryAfterMs (defer). */
  maxWaitMs?: number;
  /** Fraction of the reported restore rate we count on, so clock skew never makes us early. */
  restoreSafety?: number;
}

export interface Reservation {
  readonly cost: number;
  /** The platform answered (reporting its bucket, or null if the answer had no report). */
  settle(status: BucketStatus | null): Promise<void>;
  /** No answer (timeout, dropped connection): the points stay spent, and the request may still arrive. */
  release(): Promise<void>;
}

/** Where a store's cost bucket is mirrored: this process (CostBudget) or Redis (RedisCostBudget). */
export interface RateBudget {
  /**
   * Waits until the bucket can afford `cost`, then reserves it. Throws PlatformError
   * "throttled" (with retryAfterMs) instead of waiting longer than maxWaitMs, and "rejected"
   * when the cost exceeds the whole bucket.
   */
  acquire(cost: number, options?: { maxWaitMs?: number }): Promise<Reservation>;
}

interface Waiter {
  wake: () => void;
}

export const DEFAULT_BUDGET_MAX_WAIT_MS = 10_000;
/** How long an answer may take to reach us: the bucket refills meanwhile, so a report looks that much low. */
const TRANSIT_ALLOWANCE_MS = 50;
/** How long a request that got no answer (timeout, dropped connection) may still reach the platform. */
const RELEASE_GRACE_MS = 10_000;
const CAP_RECHECK_MS = 50;

/**
 * The platform's cost bucket mirrored on our side, so we never send a request the bucket
 * cannot afford (which the platform would answer with "Throttled").
 *
 * - Until the first answer we do not know the bucket: one request goes alone, as a probe.
 * - Each request reserves its estimated cost before it is sent; requests are served in
 *   arrival order and wait (sleep) for the bucket to refill at the restore rate.
 * - What is in flight also lowers the bucket's size in our books: while its bucket is full
 *   the platform throws refills away, and those requests still take their points on
 *   arrival. Requests that got no answer count so for a grace period (they may arrive late).
 * - Each answer is checked against our books; a report lower than they say means someone
 *   else spends the bucket, and the mirror drops to it (see `adopt`). The mirror never
 *   rises on a report, only by the restore rate: we err pessimistic, never optimistic.
 *
 * The books live in this process. Several worker processes calling one store would each
 * spend the same bucket on separate books: give them a RedisCostBudget instead.
 */
export class CostBudget implements RateBudget {
  private readonly clock: Clock;
  private readonly maxWaitMs: number;
  private readonly restoreSafety: number;
  private status: BucketStatus | null = null;
  private level = 0;
  private levelAt = 0;
  /** Reserved and maybe not yet charged by the platform: in flight, or released without an answer (for a grace period). */
  private readonly outstanding = new Map<number, { cost: number; releasedAt: number | null }>();
  private nextReservation = 1;
  private readonly queue: { cost: number; grant: (reservation: Reservation) => void }[] = [];
  private waiter: Waiter | null = null;
  private pumping = false;

  constructor(options: CostBudgetOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_BUDGET_MAX_WAIT_MS;
    this.restoreSafety = options.restoreSafety ?? 0.98;
  }

  /** The mirrored bucket now (null until the platform has answered once). */
  snapshot(): (BucketStatus & { inFlight: number; queued: number }) | null {
    if (!this.status) return null;
    return { ...this.status, currentlyAvailable: this.available(), inFlight: this.inFlight(), queued: this.queue.length };
  }

  async acquire(cost: number, options: { maxWaitMs?: number } = {}): Promise<Reservation> {
    if (!Number.isFinite(cost) || cost < 0) throw new RangeError("cost must be a non-negative number");
    if (this.status && cost > this.status.maximumAvailable) {
      throw new PlatformError("rejected", `request cost ${cost} exceeds the bucket (${this.status.maximumAvailable})`, { code: "cost_exceeds_bucket" });
    }
    const wait = this.expectedWaitMs(cost);
    const maxWaitMs = options.maxWaitMs ?? this.maxWaitMs;
    if (wait > maxWaitMs) {
      throw new PlatformError("throttled", `rate budget needs ${wait} ms to afford ${cost} points`, { code: "budget_wait", retryAfterMs: wait });
    }
    return new Promise<Reservation>((grant) => {
      this.queue.push({ cost, grant });
      void this.pump();
    });
  }

  private reserve(cost: number): Reservation {
    const id = this.nextReservation++;
    const entry = { cost, releasedAt: null as number | null };
    this.outstanding.set(id, entry);
    let done = false;
    const finish = (answered: boolean, status: BucketStatus | null) => {
      if (done) return;
      done = true;
      if (this.status) this.checkpoint();
      if (answered) {
        this.outstanding.delete(id); // the platform is done with it; its points stay spent
        if (status) this.adopt(status);
      } else {
        // No answer: it may still reach the platform later, so it keeps lowering the cap a while.
        entry.releasedAt = this.clock.now();
      }
      this.poke();
    };
    return {
      cost,
      settle: async (status) => finish(true, status),
      release: async () => finish(false, null),
    };
  }

  /** Serves the queue head whenever the bucket can afford it; one pump runs at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        const delay = this.delayFor(head.cost);
        if (delay === 0) {
          // Spend and reserve right here, before the loop looks at the next caller.
          this.queue.shift();
          if (this.status) this.spend(head.cost);
          head.grant(this.reserve(head.cost));
          continue;
        }
        await this.sleep(delay);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** 0 when `cost` can go now; otherwise how long to sleep before looking again (Infinity: until an answer). */
  private delayFor(cost: number): number {
    if (!this.status) return this.inFlight() === 0 ? 0 : Infinity;
    const available = this.available();
    if (available >= cost) return 0;
    // Over the cap (bucket size minus what is in flight): only answers make room.
    if (cost > this.status.maximumAvailable - this.uncharged()) return CAP_RECHECK_MS;
    return Math.max(1, Math.ceil(((cost - available) / this.rate()) * 1000));
  }

  private expectedWaitMs(cost: number): number {
    if (!this.status) return 0;
    const ahead = this.queue.reduce((sum, queued) => sum + queued.cost, 0);
    const deficit = ahead + cost - this.available();
    return deficit <= 0 ? 0 : Math.ceil((deficit / this.rate()) * 1000);
  }

  /**
   * Our books: the last level plus refills, capped. The cap is the bucket size minus what we
   * reserved but the platform may not have charged yet: while its bucket is full, the
   * platform throws refills away, and those requests will still take their points on arrival.
   */
  private available(): number {
    if (!this.status) return 0;
    const elapsed = Math.max(0, this.clock.now() - this.levelAt);
    return Math.min(this.status.maximumAvailable - this.uncharged(), this.level + (elapsed / 1000) * this.rate());
  }

  /** Fixes the books at now, before the set of uncharged requests (and so the cap) changes. */
  private checkpoint(): void {
    this.level = this.available();
    this.levelAt = this.clock.now();
  }

  private spend(cost: number): void {
    this.checkpoint();
    this.level -= cost;
  }

  private uncharged(): number {
    const now = this.clock.now();
    let sum = 0;
    for (const [id, entry] of this.outstanding) {
      if (entry.releasedAt !== null && now - entry.releasedAt > RELEASE_GRACE_MS) this.outstanding.delete(id);
      else sum += entry.cost;
    }
    return sum;
  }

  private inFlight(): number {
    let count = 0;
    for (const entry of this.outstanding.values()) if (entry.releasedAt === null) count++;
    return count;
  }

  /**
   * Adopts a reported bucket. In one process our own books are exact: every request we send
   * was charged here first, and refills follow the restore rate. A report at or above our
   * books (allowing for what refilled while the answer travelled) agrees with them, and we
   * keep ours: the report cannot tell which requests in flight it has already charged, and
   * answers can arrive out of order. A report below our books proves someone else spends the
   * bucket (another process, another tool with this app's token) or a request cost more
   * than estimated: then we take it, minus everything in flight, pessimistically.
   */
  private adopt(status: BucketStatus): void {
    const inFlight = this.uncharged();
    const reported = Math.min(status.maximumAvailable, status.currentlyAvailable);
    const books = this.status ? this.available() : null;
    this.status = { ...status };
    const inTransit = status.restoreRate * (TRANSIT_ALLOWANCE_MS / 1000);
    if (books === null) this.level = reported - inFlight;
    else if (reported + inTransit >= books) this.level = books;
    else this.level = Math.min(books, reported - inFlight);
    this.levelAt = this.clock.now();
  }

  private rate(): number {
    return Math.max(1e-6, (this.status?.restoreRate ?? 0) * this.restoreSafety);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      const waiter: Waiter = { wake: done };
      this.waiter = waiter;
      function done() {
        if (timer) clearTimeout(timer);
        resolve();
      }
    });
  }

  private poke(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.wake();
  }
}

/** One budget per store in this process. */
export class CostBudgetRegistry {
  private readonly budgets = new Map<string, CostBudget>();

  constructor(private readonly options: CostBudgetOptions = {}) {}

  for(storeId: string): CostBudget {
    let budget = this.budgets.get(storeId);
    if (!budget) {
      budget = new CostBudget(this.options);
      this.budgets.set(storeId, budget);
    }
    return budget;
  }
}

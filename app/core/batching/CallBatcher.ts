export interface CallBatcherOptions {
  /** Most items in one call; a full batch goes at once even while others are in flight. */
  maxBatch: number;
  /** Calls of one key in flight at once before new items wait for one to return; default 2. */
  maxInFlight?: number;
  /**
   * The longest an item waits for the calls in flight ahead of it (ms); then it goes in a call
   * of its own batch anyway. Unset: it waits for one of them to return, however long.
   */
  maxWaitMs?: number;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

interface Lane<Item, Result> {
  waiting: Waiting<Item, Result>[];
  inFlight: number;
  scheduled: boolean;
  /** Sends the waiting items once the oldest has waited maxWaitMs. */
  overdue: NodeJS.Timeout | null;
}

/**
 * Turns many concurrent calls into few: items submitted for one key while that key's calls
 * are in flight wait and go together in the next call, in the order they came. Under light
 * load an item goes at once (after the current turn of the event loop, so the items of one
 * turn share a call); under heavy load each call carries a batch, so the fixed cost of a
 * call (a round trip, a script's set-up, its shared reads and writes) is paid per batch.
 *
 * An item waits at most for the calls in flight ahead of it, or `maxWaitMs` when set: the
 * fairness bound a caller can state. `send` answers one result per item, in order; if it fails, or answers
 * a different number of results, every item of that call fails with the error.
 */
export class CallBatcher<Item, Result> {
  private readonly lanes = new Map<string, Lane<Item, Result>>();
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly maxWaitMs: number | undefined;

  constructor(
    private readonly send: (key: string, items: readonly Item[]) => Promise<readonly Result[]>,
    options: CallBatcherOptions,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError("maxBatch must be a positive integer");
    this.maxBatch = options.maxBatch;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 2);
    this.maxWaitMs = options.maxWaitMs;
  }

  submit(key: string, item: Item): Promise<Result> {
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = { waiting: [], inFlight: 0, scheduled: false, overdue: null };
      this.lanes.set(key, lane);
    }
    const promise = new Promise<Result>((resolve, reject) => lane.waiting.push({ item, resolve, reject }));
    if (lane.waiting.length >= this.maxBatch) this.dispatch(key, lane);
    else this.schedule(key, lane);
    return promise;
  }

  private schedule(key: string, lane: Lane<Item, Result>): void {
    if (lane.waiting.length === 0) return;
    if (lane.inFlight >= this.maxInFlight) {
      if (this.maxWaitMs !== undefined && lane.overdue === null) lane.overdue = setTimeout(() => this.dispatch(key, lane), this.maxWaitMs);
      return;
    }
    if (lane.scheduled) return;
    lane.scheduled = true;
    setImmediate(() => {
      lane.scheduled = false;
      if (lane.inFlight < this.maxInFlight) this.dispatch(key, lane);
      else this.schedule(key, lane);
    });
  }

  private dispatch(key: string, lane: Lane<Item, Result>): void {
    if (lane.overdue !== null) {
      clearTimeout(lane.overdue);
      lane.overdue = null;
    }
    const batch = lane.waiting.splice(0, this.maxBatch);
    if (batch.length === 0) {
      if (lane.inFlight === 0 && !lane.scheduled) this.lanes.delete(key);
      return;
    }
    lane.inFlight += 1;
    const settle = () => {
      lane.inFlight -= 1;
      if (lane.inFlight === 0 && lane.waiting.length === 0 && !lane.scheduled && lane.overdue === null) this.lanes.delete(key);
      else this.schedule(key, lane);
    };
    let sent: Promise<readonly Result[]>;
    try {
      sent = this.send(
        key,
        batch.map((waiting) => waiting.item),
      );
    } catch (error) {
      sent = Promise.reject(error);
    }
    // What a full batch left behind waits for the next turn, a returning call or maxWaitMs.
    this.schedule(key, lane);
    sent.then(
      (results) => {
        settle();
        if (results.length !== batch.length) {
          const error = new Error(`batched call answered ${results.length} results for ${batch.length} items`);
          for (const waiting of batch) waiting.reject(error);
          return;
        }
        batch.forEach((waiting, index) => waiting.resolve(results[index] as Result));
      },
      (error: unknown) => {
        settle();
        for (const waiting of batch) waiting.reject(error);
      },
    );
  }
}

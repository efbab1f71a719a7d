import type { Logger } from "../logger.ts";
import type { CheckoutJob } from "./CheckoutQueue.ts";
import type { CheckoutStore } from "./CheckoutStore.ts";

export interface CheckoutSweeperOptions {
  store: Pick<CheckoutStore, "leftQueued" | "touchQueued">;
  queue: { enqueue(job: CheckoutJob): Promise<void> };
  /** Sales that may have open checkouts (the running rooms). */
  sales: () => Promise<string[]>;
  logger: Logger;
  /** How old a `queued` record must be before it counts as left behind (ms); default 2 s. */
  graceMs?: number;
  /** How often to look (ms); default 2 s. */
  intervalMs?: number;
}

/**
 * Opening a checkout and enqueueing its job are two Redis calls (the job lives in the queue's
 * own Cluster slot, the record in the sale's). A crash between them used to strand the hold's
 * units for the 30-minute checkout window; the sweeper finds every record still `queued` a
 * few seconds after it was opened and enqueues its job again. Enqueueing is idempotent (the
 * job id is the order id), so a record whose job merely waits in a busy queue costs nothing.
 */
export class CheckoutSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly graceMs: number;
  private readonly intervalMs: number;

  constructor(private readonly options: CheckoutSweeperOptions) {
    this.graceMs = options.graceMs ?? 2_000;
    this.intervalMs = options.intervalMs ?? 2_000;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep().catch((error: unknown) => this.options.logger.warn("checkout sweep failed", { error })), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass over every sale; resolves with how many orders were enqueued again. */
  sweep(): Promise<number> {
    this.running ??= this.sweepOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async sweepOnce(): Promise<number> {
    let enqueued = 0;
    for (const saleId of await this.options.sales()) {
      for (const orderId of await this.options.store.leftQueued(saleId, this.graceMs)) {
        await this.options.queue.enqueue({ saleId, orderId });
        await this.options.store.touchQueued(saleId, orderId);
        this.options.logger.warn("checkout found without its job; enqueued it again", { saleId, orderId });
        enqueued++;
      }
    }
    return enqueued;
  }
}

import { HoldfastQueues, QUEUE_NAMES } from "../queues/queues.ts";

export interface CheckoutJob {
  saleId: string;
  orderId: string;
}

/** The producer side: one job per order, its id the order id, so adding twice is a no-op. */
export class CheckoutQueue {
  constructor(private readonly queues: HoldfastQueues) {}

  async enqueue(job: CheckoutJob): Promise<void> {
    await this.queues.queue(QUEUE_NAMES.checkout).add("checkout", job, { jobId: job.orderId });
  }
}

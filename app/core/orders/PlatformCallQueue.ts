import { HoldfastQueues, jobIdFor, QUEUE_NAMES } from "../queues/queues.ts";

/** Asks the platform to cancel an order (a bypass order under the sale's "cancel" policy). */
export interface CancelOrderCall {
  type: "cancelOrder";
  storeId: string;
  platformOrderRef: string;
  reason: string;
  /** For the logs and the merchant's view; the platform needs only the store and the order. */
  saleId: string;
}

export type PlatformCall = CancelOrderCall;

/** Where calls to a platform wait for the platform worker (built separately). */
export interface PlatformCallSink {
  /** Idempotent: the same call (same type, store and order) is queued once. Returns the job id. */
  enqueue(call: PlatformCall): Promise<string>;
}

/** The job id of a call: stable, so a retried order job never queues a second cancellation. */
export function platformCallJobId(call: PlatformCall): string {
  return jobIdFor(call.type, `${call.storeId}.${call.platformOrderRef}`);
}

/** PlatformCallSink on the `platform-calls` BullMQ queue; job name = call type, data = the call. */
export class PlatformCallQueue implements PlatformCallSink {
  constructor(private readonly queues: HoldfastQueues) {}

  async enqueue(call: PlatformCall): Promise<string> {
    const jobId = platformCallJobId(call);
    await this.queues.queue(QUEUE_NAMES.platformCalls).add(call.type, call, { jobId });
    return jobId;
  }
}

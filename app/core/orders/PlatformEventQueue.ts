import { addOnce } from "../queues/addOnce.ts";
import { HoldfastQueues, jobIdFor, QUEUE_NAMES } from "../queues/queues.ts";
import type { PlatformEvent } from "./PlatformEvent.ts";

/** How long a webhook id is remembered after its job is gone: Shopify retries for 48 hours. */
const DEDUP_WINDOW_SECONDS = 7 * 24 * 60 * 60;

/** The job id of a delivery: the same sender's same webhook id is the same job. */
export function platformEventJobId(event: Pick<PlatformEvent, "platform" | "shop" | "webhookId">): string {
  return jobIdFor("pe", `${event.platform}.${event.shop}.${event.webhookId}`);
}

/**
 * Where verified webhook deliveries enter, raw: one job per platform webhook id, so a
 * redelivery makes no second job (addOnce). The webhook answers once this resolves; when it
 * throws (Redis away), the platform must be told to retry.
 */
export class PlatformEventQueue {
  constructor(private readonly queues: HoldfastQueues) {}

  async enqueue(event: PlatformEvent): Promise<{ outcome: "queued" | "duplicate"; jobId: string }> {
    const jobId = platformEventJobId(event);
    const outcome = await addOnce(this.queues, {
      queue: QUEUE_NAMES.platformEvents,
      name: event.topic,
      data: event,
      jobId,
      windowSeconds: DEDUP_WINDOW_SECONDS,
    });
    return { outcome, jobId };
  }
}

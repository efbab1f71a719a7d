import { DeadLetterQueue } from "../queues/DeadLetterQueue.ts";
import { PermanentOrderError } from "./errors.ts";
import { parseOrderEvent, type OrderEvent } from "./OrderEvent.ts";
import { addOnce } from "../queues/addOnce.ts";
import { digest, HoldfastQueues, jobIdFor, QUEUE_NAMES } from "../queues/queues.ts";

export type IntakeResult =
  | { outcome: "queued"; jobId: string }
  /** This event id was queued before (within the dedup window): nothing was added. */
  | { outcome: "duplicate"; jobId: string }
  /** Malformed: it went straight to the dead-letter queue. Answer the sender 2xx anyway (a retry cannot fix it). */
  | { outcome: "rejected"; code: string; reason: string; deadLetterId: string };

export interface OrderIntakeOptions {
  /** How long an event id is remembered after BullMQ has removed its job; default 7 days. */
  dedupWindowSeconds?: number;
}

/** The BullMQ job id of an order event: the platform's event id, made safe. */
export function orderEventJobId(eventId: string): string {
  return jobIdFor("ev", eventId);
}

/**
 * Where order events enter (the platform-events worker, the WooCommerce connector, headless
 * checkout). Deduplicates by the platform's event id (addOnce: the job id, then a marker that
 * outlives the job). Not load-bearing for correctness: processing is idempotent by order
 * reference.
 */
export class OrderIntake {
  private readonly dedupWindowSeconds: number;

  constructor(
    private readonly queues: HoldfastQueues,
    private readonly deadLetters: DeadLetterQueue,
    options: OrderIntakeOptions = {},
  ) {
    this.dedupWindowSeconds = options.dedupWindowSeconds ?? 7 * 24 * 60 * 60;
  }

  async enqueue(input: OrderEvent | unknown): Promise<IntakeResult> {
    let event: OrderEvent;
    try {
      event = parseOrderEvent(input);
    } catch (error) {
      if (!(error instanceof PermanentOrderError)) throw error;
      return this.reject(input, error);
    }
    const jobId = orderEventJobId(event.eventId);
    const outcome = await addOnce(this.queues, {
      queue: QUEUE_NAMES.orderEvents,
      name: event.kind,
      data: event,
      jobId,
      windowSeconds: this.dedupWindowSeconds,
    });
    return { outcome, jobId };
  }

  private async reject(input: unknown, error: PermanentOrderError): Promise<IntakeResult> {
    const eventId = typeof input === "object" && input !== null ? (input as { eventId?: unknown }).eventId : undefined;
    const jobId = typeof eventId === "string" && eventId.length > 0 ? orderEventJobId(eventId) : `ev_raw${digest(safeJson(input))}`;
    const letter = await this.deadLetters.add({
      queue: QUEUE_NAMES.orderEvents,
      jobId,
      name: "invalid",
      data: input ?? null,
      error: `${error.code}: ${error.message}`,
      failedAt: Date.now(),
      attemptsMade: 0,
    });
    return { outcome: "rejected", code: error.code, reason: error.message, deadLetterId: letter.id };
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

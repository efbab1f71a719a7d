import { randomUUID } from "node:crypto";

import { deliveryInboxKeys, type DeliveryInboxKeys } from "../keys.ts";
import type { RedisClient } from "../redis.ts";

/** A signed webhook delivery as it arrived: its bytes are kept, so nothing is lost to parsing. */
export interface Delivery {
  storeId: string;
  topic: string;
  /** The platform's id of this delivery (or a digest of its bytes): the platform-events queue makes one job of it. */
  webhookId: string;
  body: string;
  receivedAt: number;
}

export interface StoredDelivery extends Delivery {
  id: string;
}

/** What processing a delivery came to: done (the answer to send), or to be kept for later. */
export type DeliveryOutcome = { outcome: "processed"; answer: Record<string, unknown> } | { outcome: "not_ready" };

export interface DrainResult {
  processed: number;
  /** True when it stopped early because the queue was not ready or processing failed. */
  stopped: boolean;
}

const LOCK_MS = 30_000;

/**
 * Webhook deliveries persisted before they are answered (a Redis stream, in the same Redis
 * that holds the sale), so a platform never sees a failure for a delivery Holdfast can
 * process later: WooCommerce disables a webhook after five failed deliveries. A delivery
 * leaves the stream once processed (an order: enqueued on the platform-events queue, whose
 * worker dead-letters a malformed one).
 */
export class DeliveryInbox {
  private readonly keys: DeliveryInboxKeys;

  constructor(
    private readonly redis: RedisClient,
    source: string,
  ) {
    this.keys = deliveryInboxKeys(source);
  }

  async add(delivery: Delivery): Promise<string> {
    const id = await this.redis.xadd(
      this.keys.pending,
      "*",
      "store",
      delivery.storeId,
      "topic",
      delivery.topic,
      "webhook",
      delivery.webhookId,
      "body",
      delivery.body,
      "at",
      String(delivery.receivedAt),
    );
    if (id === null) throw new Error("the delivery inbox did not store the delivery");
    return id;
  }

  async done(id: string): Promise<void> {
    await this.redis.xdel(this.keys.pending, id);
  }

  async pending(count = 100): Promise<StoredDelivery[]> {
    const entries = await this.redis.xrange(this.keys.pending, "-", "+", "COUNT", count);
    return entries.map(([id, fields]) => toDelivery(id, fields));
  }

  /**
   * Processes waiting deliveries in arrival order until none is left, the queue is not ready, or
   * processing throws (left for the next drain). One drainer at a time across processes;
   * a delivery processed twice (a crash between processing and `done`) is a redelivery, which
   * the platform-events queue drops by webhook id.
   */
  async drain(process: (delivery: StoredDelivery) => Promise<DeliveryOutcome>): Promise<DrainResult> {
    const result: DrainResult = { processed: 0, stopped: false };
    const token = randomUUID();
    if ((await this.redis.set(this.keys.lock, token, "PX", LOCK_MS, "NX")) !== "OK") return { ...result, stopped: true };
    try {
      for (;;) {
        const batch = await this.pending();
        if (batch.length === 0) return result;
        for (const delivery of batch) {
          let outcome: DeliveryOutcome;
          try {
            outcome = await process(delivery);
          } catch {
            return { ...result, stopped: true };
          }
          if (outcome.outcome === "not_ready") return { ...result, stopped: true };
          await this.done(delivery.id);
          result.processed += 1;
          await this.redis.pexpire(this.keys.lock, LOCK_MS);
        }
      }
    } finally {
      if ((await this.redis.get(this.keys.lock)) === token) await this.redis.del(this.keys.lock);
    }
  }
}

function fieldOf(fields: string[], name: string): string {
  const index = fields.indexOf(name);
  return index >= 0 && index % 2 === 0 ? (fields[index + 1] ?? "") : "";
}

function toDelivery(id: string, fields: string[]): StoredDelivery {
  return {
    id,
    storeId: fieldOf(fields, "store"),
    topic: fieldOf(fields, "topic"),
    // Kept before deliveries carried their id: the stream id names it.
    webhookId: fieldOf(fields, "webhook") || `inbox-${id}`,
    body: fieldOf(fields, "body"),
    receivedAt: Number(fieldOf(fields, "at")),
  };
}

import { InvalidInputError } from "../errors/InvalidInputError.ts";
import { assertRef } from "../inventory/validation.ts";
import { PermanentOrderError } from "./errors.ts";

/** The platforms whose webhooks come in through the platform-events queue. */
export const EVENT_PLATFORMS = ["shopify", "woocommerce"] as const;
export type EventPlatform = (typeof EVENT_PLATFORMS)[number];

/**
 * A verified webhook delivery as it arrived, before anything is made of it: the webhook route
 * checks the signature and enqueues this (no SQL, no platform call before its answer); the
 * platform-events worker reads it later. The body's bytes are kept, so nothing is lost to
 * parsing and a malformed payload is dead-lettered as it came.
 */
export interface PlatformEvent {
  platform: EventPlatform;
  /** As the platform names it: "orders/create", "order.updated", ... */
  topic: string;
  /** Who sent it: the shop domain (Shopify), the store id of the delivery URL (WooCommerce). */
  shop: string;
  /** The platform's id of this delivery (X-Shopify-Webhook-Id, X-WC-Webhook-Delivery-ID): a redelivery makes no second job. */
  webhookId: string;
  /** Shopify's X-Shopify-Event-Id: the same for every subscription of one event. */
  eventId?: string;
  body: string;
  receivedAt: number;
}

/** Checks a queued platform event (job data); a malformed one is a PermanentOrderError. */
export function parsePlatformEvent(input: unknown): PlatformEvent {
  try {
    if (typeof input !== "object" || input === null) throw new InvalidInputError("invalid_platform_event", "a platform event must be an object");
    const raw = input as Record<string, unknown>;
    if (!EVENT_PLATFORMS.includes(raw.platform as EventPlatform))
      throw new InvalidInputError("invalid_platform", `platform must be one of ${EVENT_PLATFORMS.join(", ")}`);
    assertRef("invalid_topic", "topic", raw.topic);
    assertRef("invalid_shop", "shop", raw.shop);
    assertRef("invalid_webhook_id", "webhookId", raw.webhookId);
    if (raw.eventId !== undefined) assertRef("invalid_event_id", "eventId", raw.eventId);
    if (typeof raw.body !== "string") throw new InvalidInputError("invalid_body", "body must be the delivery's text");
    if (typeof raw.receivedAt !== "number") throw new InvalidInputError("invalid_received_at", "receivedAt must be epoch milliseconds");
    return {
      platform: raw.platform as EventPlatform,
      topic: raw.topic,
      shop: raw.shop,
      webhookId: raw.webhookId,
      ...(raw.eventId === undefined ? {} : { eventId: raw.eventId }),
      body: raw.body,
      receivedAt: raw.receivedAt,
    };
  } catch (error) {
    if (error instanceof InvalidInputError) throw new PermanentOrderError("invalid_platform_event", `invalid platform event: ${error.message}`);
    throw error;
  }
}

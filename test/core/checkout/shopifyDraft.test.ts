import { expect, it } from "vitest";

import { orderIdForHold } from "../../../app/core/checkout/index.ts";
import { orderEventsFromWebhook } from "../../../app/platforms/shopify/webhooks.ts";

it("a Shopify order completed from a checkout's draft carries the checkout's hold into its order event", () => {
  const mapping = orderEventsFromWebhook({
    topic: "orders/create",
    eventId: "evt-1",
    storeId: "st_1",
    now: Date.now(),
    itemOf: (variant) => (variant === "gid://shopify/ProductVariant/11" ? { saleId: "drop-1", itemId: "shoe" } : undefined),
    payload: {
      id: 9001,
      admin_graphql_api_id: "gid://shopify/Order/9001",
      created_at: "2026-11-28T12:00:00Z",
      // What draftOrderCreate's customAttributes become on the completed order.
      note_attributes: [{ name: "holdfast_order_id", value: orderIdForHold("Hd0ld-id_1234567") }],
      line_items: [{ variant_id: 11, quantity: 1, properties: [] }],
    },
  });
  expect(mapping).toMatchObject({
    outcome: "events",
    events: [{ saleId: "drop-1", platformOrderRef: "gid://shopify/Order/9001", holdId: "Hd0ld-id_1234567" }],
  });
});

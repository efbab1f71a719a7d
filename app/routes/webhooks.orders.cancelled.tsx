import type { ActionFunctionArgs } from "@remix-run/node";

import { receiveWebhook, webhookLoader } from "../webhooks/shopify.server.ts";

/** Shopify's ORDERS_CANCELLED webhook (subscribed in shopify.app.toml); see app/shopifyWebhooks.server.ts. */
export const action = ({ request, context }: ActionFunctionArgs) => receiveWebhook(request, context, "ORDERS_CANCELLED");
export const loader = webhookLoader;

import type { ActionFunctionArgs } from "@remix-run/node";

import { receiveWebhook, webhookLoader } from "../webhooks/shopify.server.ts";

/** Shopify's CUSTOMERS_DATA_REQUEST webhook (subscribed in shopify.app.toml); see app/shopifyWebhooks.server.ts. */
export const action = ({ request, context }: ActionFunctionArgs) => receiveWebhook(request, context, "CUSTOMERS_DATA_REQUEST");
export const loader = webhookLoader;

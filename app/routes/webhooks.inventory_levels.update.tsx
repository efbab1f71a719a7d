import type { ActionFunctionArgs } from "@remix-run/node";

import { receiveWebhook, webhookLoader } from "../webhooks/shopify.server.ts";

/** Shopify's INVENTORY_LEVELS_UPDATE webhook (subscribed in shopify.app.toml); see app/shopifyWebhooks.server.ts. */
export const action = ({ request, context }: ActionFunctionArgs) => receiveWebhook(request, context, "INVENTORY_LEVELS_UPDATE");
export const loader = webhookLoader;

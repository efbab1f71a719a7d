import type { ActionFunctionArgs } from "@remix-run/node";

import { receiveWebhook, webhookLoader } from "../webhooks/shopify.server.ts";

/** Shopify's APP_UNINSTALLED webhook (subscribed in shopify.app.toml); see app/shopifyWebhooks.server.ts. */
export const action = ({ request, context }: ActionFunctionArgs) => receiveWebhook(request, context, "APP_UNINSTALLED");
export const loader = webhookLoader;

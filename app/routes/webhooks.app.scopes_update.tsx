import type { ActionFunctionArgs } from "@remix-run/node";

import { receiveWebhook, webhookLoader } from "../webhooks/shopify.server.ts";

/** Shopify's APP_SCOPES_UPDATE webhook (subscribed in shopify.app.toml); see app/webhooks/shopify.server.ts. */
export const action = ({ request, context }: ActionFunctionArgs) => receiveWebhook(request, context, "APP_SCOPES_UPDATE");
export const loader = webhookLoader;

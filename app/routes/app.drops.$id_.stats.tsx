import { json, type LoaderFunctionArgs } from "@remix-run/node";

import { dropsDeps, scopeOfShop } from "../drops/context.server.ts";
import { errorResponse } from "../drops/errors.server.ts";
import { liveSnapshot } from "../drops/live.server.ts";
import { authenticate } from "../shopify.server.ts";

/** JSON the live dashboard polls every few seconds (it also records the chart's samples). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const deps = dropsDeps(context);
  try {
    return json(await liveSnapshot(deps, await scopeOfShop(deps, session.shop), params.id ?? ""), { headers: { "cache-control": "no-store" } });
  } catch (error) {
    const response = errorResponse(error);
    if (response) return response;
    throw error;
  }
}

import { json, type LoaderFunctionArgs } from "@remix-run/node";

import { CONSOLE_SCOPE } from "../drops/access.server.ts";
import { requireConsole } from "../drops/consoleAuth.server.ts";
import { consoleAdminToken, dropsDeps } from "../drops/context.server.ts";
import { errorResponse } from "../drops/errors.server.ts";
import { liveSnapshot } from "../drops/live.server.ts";

/** JSON the console's live dashboard polls. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireConsole(request, consoleAdminToken(), Date.now());
  try {
    return json(await liveSnapshot(dropsDeps(context), CONSOLE_SCOPE, params.id ?? ""), { headers: { "cache-control": "no-store" } });
  } catch (error) {
    const response = errorResponse(error);
    if (response) return response;
    throw error;
  }
}

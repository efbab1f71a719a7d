import type { LoaderFunctionArgs } from "@remix-run/node";

import { ordersCsvLoader } from "../drops/pages.server.ts";
import { shopifySurface } from "../drops/surfaces.server.ts";

/** The drop's orders as CSV (`?filter=` as on the orders page). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return ordersCsvLoader(await shopifySurface(request, context), request, params.id ?? "");
}

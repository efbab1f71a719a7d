import type { LoaderFunctionArgs } from "@remix-run/node";
import { statsLoader } from "../drops/pages.server.ts";
import { consoleSurface } from "../drops/surfaces.server.ts";

/** JSON the console's live dashboard polls. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return statsLoader(consoleSurface(request, context), params.id ?? "");
}

import type { LoaderFunctionArgs } from "@remix-run/node";
import { statsLoader } from "../drops/pages.server.ts";
import { shopifySurface } from "../drops/surfaces.server.ts";

/** JSON the live dashboard polls every few seconds (it also records the chart's samples). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return statsLoader(await shopifySurface(request, context), params.id ?? "");
}

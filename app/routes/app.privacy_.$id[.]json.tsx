import type { LoaderFunctionArgs } from "@remix-run/node";

import { privacyReportDownload } from "../drops/privacy.server.ts";
import { shopifySurface } from "../drops/surfaces.server.ts";

/** One customers/data_request report of the shop, as a JSON attachment. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return privacyReportDownload(await shopifySurface(request, context), context, params.id ?? "");
}

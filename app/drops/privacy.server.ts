// Privacy requests in the Shopify admin: the customers/data_request reports the webhook kept
// sealed (stores/privacy.server.ts), listed for the merchant and downloaded one at a time.
// Only the shop's own reports: another shop's id is "not found", as another shop's drop is.
import { json, type AppLoadContext } from "@remix-run/node";

import { privacyReportFilename } from "../components/PrivacyRequests.tsx";
import { customerReport, listCustomerReports } from "../stores/privacy.server.ts";
import type { DropsScope } from "./deps.server.ts";
import { answering, errorResponse, PageError } from "./errors.server.ts";
import type { DropsSurface } from "./surfaces.server.ts";

export interface PrivacyRequestView {
  id: string;
  /** The customer as Holdfast knows them (`shopify-customer:<id>`): no name or email is kept. */
  customer: string;
  receivedAt: number;
}

/** The console has no Shopify privacy requests; the embedded surface always has a store. */
function storeOf(scope: DropsScope): string {
  if (scope.kind !== "store")
    throw new PageError(404, "privacy_requests_not_here", "Privacy requests belong to a Shopify store; open them in the Shopify admin.");
  return scope.storeId;
}

export function privacyRequestsLoader(surface: DropsSurface) {
  return answering(async () => {
    const storeId = storeOf(await surface.scope());
    const [reports, timeZone] = await Promise.all([listCustomerReports(surface.deps.db, storeId), surface.timeZone("UTC")]);
    const requests: PrivacyRequestView[] = reports.map((report) => ({ id: report.id, customer: report.customerRef, receivedAt: Date.parse(report.createdAt) }));
    return json({ requests, timeZone });
  });
}

/** One report as a JSON attachment, for the merchant to send to the customer. */
export async function privacyReportDownload(surface: DropsSurface, context: AppLoadContext, id: string): Promise<Response> {
  try {
    const storeId = storeOf(await surface.scope());
    const report = await customerReport(surface.deps.db, context.holdfast.masterKey.key, storeId, id);
    if (!report) {
      throw new PageError(404, "privacy_report_not_found", "This privacy report does not exist (or belongs to another shop). Go back to Privacy requests.");
    }
    return new Response(JSON.stringify(report, null, 2), {
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="${privacyReportFilename(id)}"`,
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    const response = errorResponse(error);
    if (response) return response;
    throw error;
  }
}

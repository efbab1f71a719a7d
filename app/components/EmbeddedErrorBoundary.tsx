import { isRouteErrorResponse, useRouteError } from "@remix-run/react";

import { RouteErrorPage } from "./PageStates.tsx";

/**
 * Error boundary of the embedded pages. Holdfast's own failures are JSON
 * `{"error":{"code","message"}}` and get a Polaris page saying what to do next. Anything else
 * thrown as a response comes from Shopify's authentication (a bounce or exit-iframe page in
 * HTML) and is rendered as it is, as shopify-app-remix's own boundary does.
 */
export function EmbeddedErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) {
    const data: unknown = error.data;
    const ours = typeof data === "object" && data !== null && "error" in data;
    const oursAsText = typeof data === "string" && data.startsWith('{"error"');
    if (!ours && !oursAsText) return <div dangerouslySetInnerHTML={{ __html: typeof data === "string" ? data : "Handling response" }} />;
  }
  return <RouteErrorPage listUrl="/app" />;
}

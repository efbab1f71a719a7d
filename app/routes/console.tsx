import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { Outlet } from "@remix-run/react";

import { ConsoleErrorBoundary } from "../components/ConsoleErrorBoundary.tsx";
import { ConsoleFrame } from "../components/ConsoleFrame.tsx";
import { requireConsole } from "../drops/consoleAuth.server.ts";
import { consoleAdminToken } from "../drops/context.server.ts";

/**
 * The standalone console (WooCommerce merchants, the local demo): the same pages as the
 * embedded app, signed in with the admin token. Every child loader and action checks the
 * sign-in again (a data request reaches a child without this layout's loader).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  requireConsole(request, consoleAdminToken(), Date.now());
  return json({});
}

export default function Console() {
  return (
    <ConsoleFrame>
      <Outlet />
    </ConsoleFrame>
  );
}

export const ErrorBoundary = ConsoleErrorBoundary;

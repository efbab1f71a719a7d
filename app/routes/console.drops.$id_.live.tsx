import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { LiveDashboard } from "../components/LiveDashboard.tsx";
import { RouteErrorPage, WhileLoading } from "../components/PageStates.tsx";
import { CONSOLE_SCOPE } from "../drops/access.server.ts";
import { requireConsole } from "../drops/consoleAuth.server.ts";
import { consoleAdminToken, dropsDeps } from "../drops/context.server.ts";
import { answering, errorResponse } from "../drops/errors.server.ts";
import { controlAction, liveSnapshot } from "../drops/live.server.ts";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireConsole(request, consoleAdminToken(), Date.now());
  return answering(async () => json(await liveSnapshot(dropsDeps(context), CONSOLE_SCOPE, params.id ?? "")));
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  requireConsole(request, consoleAdminToken(), Date.now());
  try {
    await controlAction(dropsDeps(context), CONSOLE_SCOPE, params.id ?? "", await request.formData());
    return json({ ok: true as const });
  } catch (error) {
    const response = errorResponse(error);
    if (response) return response;
    throw error;
  }
}

export default function ConsoleLiveDrop() {
  const initial = useLoaderData<typeof loader>();
  return (
    <WhileLoading title={initial.name}>
      <LiveDashboard key={initial.saleId} initial={initial} base="/console" statsUrl={`/console/drops/${initial.saleId}/stats`} />
    </WhileLoading>
  );
}

export function ErrorBoundary() {
  return <RouteErrorPage listUrl="/console" />;
}

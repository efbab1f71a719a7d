import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";

import { LiveDashboard } from "../components/LiveDashboard.tsx";
import { RouteErrorPage, WhileLoading } from "../components/PageStates.tsx";
import { liveControlAction, liveLoader } from "../drops/pages.server.ts";
import { consoleSurface } from "../drops/surfaces.server.ts";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return liveLoader(consoleSurface(request, context), request, params.id ?? "");
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return liveControlAction(consoleSurface(request, context), request, params.id ?? "");
}

export default function ConsoleLiveDrop() {
  const initial = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <WhileLoading title={initial.name}>
      <LiveDashboard
        key={initial.saleId}
        initial={initial}
        base="/console"
        statsUrl={`/console/drops/${initial.saleId}/stats`}
        placement={initial.placement}
        created={params.get("created") === "1"}
      />
    </WhileLoading>
  );
}

export function ErrorBoundary() {
  return <RouteErrorPage listUrl="/console" />;
}

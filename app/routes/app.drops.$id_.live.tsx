import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";

import { EmbeddedErrorBoundary } from "../components/EmbeddedErrorBoundary.tsx";
import { LiveDashboard } from "../components/LiveDashboard.tsx";
import { WhileLoading } from "../components/PageStates.tsx";
import { liveControlAction, liveLoader } from "../drops/pages.server.ts";
import { shopifySurface } from "../drops/surfaces.server.ts";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return liveLoader(await shopifySurface(request, context), request, params.id ?? "");
}

/** The dashboard's controls: form fields `intent` (start, pause, resume, end, queueEveryone, setRate) and `perMinute`. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  return liveControlAction(await shopifySurface(request, context), request, params.id ?? "");
}

export default function LiveDrop() {
  const initial = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <WhileLoading title={initial.name}>
      <LiveDashboard
        key={initial.saleId}
        initial={initial}
        base="/app"
        statsUrl={`/app/drops/${initial.saleId}/stats`}
        placement={initial.placement}
        created={params.get("created") === "1"}
      />
    </WhileLoading>
  );
}

export const ErrorBoundary = EmbeddedErrorBoundary;

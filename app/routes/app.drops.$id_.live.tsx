import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { EmbeddedErrorBoundary } from "../components/EmbeddedErrorBoundary.tsx";
import { LiveDashboard } from "../components/LiveDashboard.tsx";
import { WhileLoading } from "../components/PageStates.tsx";
import { dropsDeps, scopeOfShop } from "../drops/context.server.ts";
import { answering, errorResponse } from "../drops/errors.server.ts";
import { controlAction, liveSnapshot } from "../drops/live.server.ts";
import { authenticate } from "../shopify.server.ts";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return answering(async () => {
    const deps = dropsDeps(context);
    return json(await liveSnapshot(deps, await scopeOfShop(deps, session.shop), params.id ?? ""));
  });
}

/** The dashboard's controls: form fields `intent` (start, pause, resume, end, queueEveryone, setRate) and `perMinute`. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const deps = dropsDeps(context);
  try {
    await controlAction(deps, await scopeOfShop(deps, session.shop), params.id ?? "", await request.formData());
    return json({ ok: true as const });
  } catch (error) {
    const response = errorResponse(error);
    if (response) return response;
    throw error;
  }
}

export default function LiveDrop() {
  const initial = useLoaderData<typeof loader>();
  return (
    <WhileLoading title={initial.name}>
      <LiveDashboard key={initial.saleId} initial={initial} base="/app" statsUrl={`/app/drops/${initial.saleId}/stats`} />
    </WhileLoading>
  );
}

export const ErrorBoundary = EmbeddedErrorBoundary;

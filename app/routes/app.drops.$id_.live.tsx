import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { EmbeddedErrorBoundary } from "../components/EmbeddedErrorBoundary.tsx";
import { LiveDashboard } from "../components/LiveDashboard.tsx";
import { WhileLoading } from "../components/PageStates.tsx";
import { dropsDeps, publishDeps, scopeOfShop } from "../drops/context.server.ts";
import { answering, errorResponse } from "../drops/errors.server.ts";
import { tryPublishShopDrops } from "../drops/gate/publish.server.ts";
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
  const { admin, session } = await authenticate.admin(request);
  const deps = dropsDeps(context);
  try {
    const scope = await scopeOfShop(deps, session.shop);
    await controlAction(deps, scope, params.id ?? "", await request.formData());
    // Started, paused, resumed or ended: the storefront and the checkout gate follow at once.
    if (scope.kind === "store") await tryPublishShopDrops(admin, publishDeps(context), scope.storeId);
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

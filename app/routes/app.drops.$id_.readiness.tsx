import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { EmbeddedErrorBoundary } from "../components/EmbeddedErrorBoundary.tsx";
import { WhileLoading } from "../components/PageStates.tsx";
import { ReadinessChecklist } from "../components/ReadinessChecklist.tsx";
import { assertDropAccess, loadDrop } from "../drops/access.server.ts";
import { shopSettings } from "../drops/catalog.server.ts";
import { dropsDeps, scopeOfShop } from "../drops/context.server.ts";
import { answering, errorResponse, PageError } from "../drops/errors.server.ts";
import { manualSteps, readinessChecks, setManualStep } from "../drops/readiness.server.ts";
import { authenticate, shopifyApiKey } from "../shopify.server.ts";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { admin, session } = await authenticate.admin(request);
  return answering(async () => {
    const deps = dropsDeps(context);
    const saleId = params.id ?? "";
    const details = await loadDrop(deps, await scopeOfShop(deps, session.shop), saleId);
    const [checks, manual, plus] = await Promise.all([
      readinessChecks(admin, details, deps.clock.now(), { appKey: shopifyApiKey(), shop: session.shop }),
      manualSteps(deps, saleId),
      shopSettings(admin).then(
        (shop) => shop.plus,
        () => false,
      ),
    ]);
    return json({ saleId, name: details.sale.name, checks, manual, plus });
  });
}

/** Ticks a manual step: form fields `intent=tick`, `step`, `done` ("true"/"false"). */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const deps = dropsDeps(context);
  try {
    const saleId = params.id ?? "";
    await assertDropAccess(deps, await scopeOfShop(deps, session.shop), saleId);
    const form = await request.formData();
    if (form.get("intent") !== "tick") throw new PageError(400, "unknown_intent", "Unknown action; reload the page.");
    await setManualStep(deps, saleId, String(form.get("step") ?? ""), form.get("done") === "true");
    return json({ ok: true as const });
  } catch (error) {
    const response = errorResponse(error);
    if (response) return response;
    throw error;
  }
}

export default function Readiness() {
  const data = useLoaderData<typeof loader>();
  return (
    <WhileLoading title={`Readiness: ${data.name}`}>
      <ReadinessChecklist saleId={data.saleId} name={data.name} base="/app" checks={data.checks} manual={data.manual} plus={data.plus} />
    </WhileLoading>
  );
}

export const ErrorBoundary = EmbeddedErrorBoundary;

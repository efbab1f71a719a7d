import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { EmbeddedErrorBoundary } from "../components/EmbeddedErrorBoundary.tsx";
import { WhileLoading } from "../components/PageStates.tsx";
import { PrivacyRequests } from "../components/PrivacyRequests.tsx";
import { privacyRequestsLoader } from "../drops/privacy.server.ts";
import { shopifySurface } from "../drops/surfaces.server.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return privacyRequestsLoader(await shopifySurface(request, context));
}

export default function PrivacyRequestsPage() {
  const data = useLoaderData<typeof loader>();
  return (
    <WhileLoading title="Privacy requests">
      <PrivacyRequests {...data} />
    </WhileLoading>
  );
}

export const ErrorBoundary = EmbeddedErrorBoundary;

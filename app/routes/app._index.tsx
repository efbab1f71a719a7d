import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { DropsList } from "../components/DropsList.tsx";
import { EmbeddedErrorBoundary } from "../components/EmbeddedErrorBoundary.tsx";
import { WhileLoading } from "../components/PageStates.tsx";
import { dropsListLoader } from "../drops/pages.server.ts";
import { shopifySurface } from "../drops/surfaces.server.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return dropsListLoader(await shopifySurface(request, context));
}

export default function DropsIndex() {
  const { drops, timeZone } = useLoaderData<typeof loader>();
  return (
    <WhileLoading title="Drops">
      <DropsList drops={drops} base="/app" timeZone={timeZone} />
    </WhileLoading>
  );
}

export const ErrorBoundary = EmbeddedErrorBoundary;

import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { DropsList } from "../components/DropsList.tsx";
import { RouteErrorPage, WhileLoading } from "../components/PageStates.tsx";
import { dropsListLoader } from "../drops/pages.server.ts";
import { consoleSurface } from "../drops/surfaces.server.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return dropsListLoader(consoleSurface(request, context));
}

export default function ConsoleDrops() {
  const { drops, timeZone } = useLoaderData<typeof loader>();
  return (
    <WhileLoading title="Drops">
      <DropsList drops={drops} base="/console" timeZone={timeZone} />
    </WhileLoading>
  );
}

export function ErrorBoundary() {
  return <RouteErrorPage listUrl="/console" />;
}

import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";

import { DropEditor } from "../components/DropEditor.tsx";
import { RouteErrorPage, WhileLoading } from "../components/PageStates.tsx";
import { newDropAction, newDropLoader } from "../drops/pages.server.ts";
import { consoleSurface } from "../drops/surfaces.server.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return newDropLoader(consoleSurface(request, context));
}

export async function action({ request, context }: ActionFunctionArgs) {
  return newDropAction(consoleSurface(request, context), request);
}

export default function ConsoleNewDrop() {
  const { initial } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <WhileLoading title="Create drop">
      <DropEditor title="Create drop" base="/console" mode="manual" initial={initial} problem={actionData && "error" in actionData ? actionData.error : null} />
    </WhileLoading>
  );
}

export function ErrorBoundary() {
  return <RouteErrorPage listUrl="/console" />;
}

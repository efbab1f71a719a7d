import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";

import { DropEditor, SavedBanner } from "../components/DropEditor.tsx";
import { RouteErrorPage, WhileLoading } from "../components/PageStates.tsx";
import { editDropAction, editDropLoader } from "../drops/pages.server.ts";
import { consoleSurface } from "../drops/surfaces.server.ts";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return editDropLoader(consoleSurface(request, context), params.id ?? "");
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return editDropAction(consoleSurface(request, context), request, params.id ?? "");
}

export default function ConsoleEditDrop() {
  const { saleId, state, name, initial } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <WhileLoading title={name}>
      <DropEditor
        key={JSON.stringify(initial)}
        title={name}
        base="/console"
        mode="manual"
        initial={initial}
        saleId={saleId}
        state={state}
        problem={actionData && "error" in actionData ? actionData.error : null}
        notice={actionData && "saved" in actionData ? <SavedBanner /> : null}
        saved={actionData !== undefined && "saved" in actionData}
      />
    </WhileLoading>
  );
}

export function ErrorBoundary() {
  return <RouteErrorPage listUrl="/console" />;
}

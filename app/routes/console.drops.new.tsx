import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";

import { DropEditor } from "../components/DropEditor.tsx";
import { emptyDropForm } from "../components/dropForm.ts";
import { RouteErrorPage, WhileLoading } from "../components/PageStates.tsx";
import { CONSOLE_SCOPE } from "../drops/access.server.ts";
import { requireConsole } from "../drops/consoleAuth.server.ts";
import { consoleAdminToken, dropsDeps, serverTimeZone } from "../drops/context.server.ts";
import { formFailure, readDropForm } from "../drops/form.server.ts";
import { createDrop } from "../drops/save.server.ts";

export async function loader({ request }: LoaderFunctionArgs) {
  requireConsole(request, consoleAdminToken(), Date.now());
  return json({ initial: emptyDropForm(serverTimeZone()) });
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireConsole(request, consoleAdminToken(), Date.now());
  try {
    const saleId = await createDrop(dropsDeps(context), CONSOLE_SCOPE, await readDropForm(request));
    return redirect(`/console/drops/${saleId}/live`);
  } catch (error) {
    const failure = formFailure(error);
    if (failure) return json({ error: failure.problem }, { status: failure.status });
    throw error;
  }
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

import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";

import { DropEditor, SavedBanner } from "../components/DropEditor.tsx";
import { RouteErrorPage, WhileLoading } from "../components/PageStates.tsx";
import { CONSOLE_SCOPE, loadDrop } from "../drops/access.server.ts";
import { requireConsole } from "../drops/consoleAuth.server.ts";
import { consoleAdminToken, dropsDeps, serverTimeZone } from "../drops/context.server.ts";
import { answering } from "../drops/errors.server.ts";
import { dropToForm, formFailure, readDropForm } from "../drops/form.server.ts";
import { updateDrop } from "../drops/save.server.ts";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  requireConsole(request, consoleAdminToken(), Date.now());
  return answering(async () => {
    const deps = dropsDeps(context);
    const saleId = params.id ?? "";
    const details = await loadDrop(deps, CONSOLE_SCOPE, saleId);
    return json({ saleId, state: details.sale.state, name: details.sale.name, initial: dropToForm(details, serverTimeZone()) });
  });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  requireConsole(request, consoleAdminToken(), Date.now());
  try {
    await updateDrop(dropsDeps(context), CONSOLE_SCOPE, params.id ?? "", await readDropForm(request));
    return json({ saved: true as const });
  } catch (error) {
    const failure = formFailure(error);
    if (failure) return json({ error: failure.problem }, { status: failure.status });
    return answering(() => Promise.reject(error));
  }
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
      />
    </WhileLoading>
  );
}

export function ErrorBoundary() {
  return <RouteErrorPage listUrl="/console" />;
}

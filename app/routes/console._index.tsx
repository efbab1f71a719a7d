import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { DropsList } from "../components/DropsList.tsx";
import { RouteErrorPage, WhileLoading } from "../components/PageStates.tsx";
import { CONSOLE_SCOPE, listDrops } from "../drops/access.server.ts";
import { requireConsole } from "../drops/consoleAuth.server.ts";
import { consoleAdminToken, dropsDeps, serverTimeZone } from "../drops/context.server.ts";
import { answering } from "../drops/errors.server.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireConsole(request, consoleAdminToken(), Date.now());
  return answering(async () => json({ drops: await listDrops(dropsDeps(context), CONSOLE_SCOPE), timeZone: serverTimeZone() }));
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

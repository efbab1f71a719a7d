import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { DropsList } from "../components/DropsList.tsx";
import { EmbeddedErrorBoundary } from "../components/EmbeddedErrorBoundary.tsx";
import { WhileLoading } from "../components/PageStates.tsx";
import { listDrops } from "../drops/access.server.ts";
import { shopSettings } from "../drops/catalog.server.ts";
import { dropsDeps, scopeOfShop } from "../drops/context.server.ts";
import { answering } from "../drops/errors.server.ts";
import { authenticate } from "../shopify.server.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { admin, session } = await authenticate.admin(request);
  return answering(async () => {
    const deps = dropsDeps(context);
    // The list is Holdfast's own data: if Shopify does not answer, show it in UTC rather than fail.
    const [drops, timeZone] = await Promise.all([
      scopeOfShop(deps, session.shop).then((scope) => listDrops(deps, scope)),
      shopSettings(admin).then(
        (shop) => shop.timeZone,
        () => "UTC",
      ),
    ]);
    return json({ drops, timeZone });
  });
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

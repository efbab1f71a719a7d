import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";

import { DropEditor } from "../components/DropEditor.tsx";
import { EmbeddedErrorBoundary } from "../components/EmbeddedErrorBoundary.tsx";
import { WhileLoading } from "../components/PageStates.tsx";
import { ShopifyProductPicker } from "../components/ShopifyProductPicker.tsx";
import { newDropAction, newDropLoader } from "../drops/pages.server.ts";
import { shopifySurface } from "../drops/surfaces.server.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return newDropLoader(await shopifySurface(request, context));
}

export async function action({ request, context }: ActionFunctionArgs) {
  return newDropAction(await shopifySurface(request, context), request);
}

export default function NewDrop() {
  const { initial } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <WhileLoading title="Create drop">
      <DropEditor
        title="Create drop"
        base="/app"
        mode="shopify"
        initial={initial}
        problem={actionData && "error" in actionData ? actionData.error : null}
        picker={(add) => <ShopifyProductPicker catalogUrl="/app/catalog" add={add} />}
      />
    </WhileLoading>
  );
}

export const ErrorBoundary = EmbeddedErrorBoundary;

import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";

import { DropEditor, SavedBanner } from "../components/DropEditor.tsx";
import { EmbeddedErrorBoundary } from "../components/EmbeddedErrorBoundary.tsx";
import { WhileLoading } from "../components/PageStates.tsx";
import { ShopifyProductPicker } from "../components/ShopifyProductPicker.tsx";
import { editDropAction, editDropLoader } from "../drops/pages.server.ts";
import { shopifySurface } from "../drops/surfaces.server.ts";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return editDropLoader(await shopifySurface(request, context), params.id ?? "");
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  return editDropAction(await shopifySurface(request, context), request, params.id ?? "");
}

export default function EditDrop() {
  const { saleId, state, name, initial } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <WhileLoading title={name}>
      <DropEditor
        // A fresh editor after each save, so it shows what was stored.
        key={JSON.stringify(initial)}
        title={name}
        base="/app"
        mode="shopify"
        initial={initial}
        saleId={saleId}
        state={state}
        problem={actionData && "error" in actionData ? actionData.error : null}
        picker={(add) => <ShopifyProductPicker catalogUrl="/app/catalog" add={add} />}
        notice={actionData && "saved" in actionData ? <SavedBanner /> : null}
        saved={actionData !== undefined && "saved" in actionData}
      />
    </WhileLoading>
  );
}

export const ErrorBoundary = EmbeddedErrorBoundary;

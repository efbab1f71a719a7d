import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";

import { DropEditor } from "../components/DropEditor.tsx";
import { emptyDropForm } from "../components/dropForm.ts";
import { EmbeddedErrorBoundary } from "../components/EmbeddedErrorBoundary.tsx";
import { WhileLoading } from "../components/PageStates.tsx";
import { ShopifyProductPicker } from "../components/ShopifyProductPicker.tsx";
import { shopSettings } from "../drops/catalog.server.ts";
import { dropsDeps, publishDeps, scopeOfShop } from "../drops/context.server.ts";
import { answering } from "../drops/errors.server.ts";
import { formFailure, readDropForm } from "../drops/form.server.ts";
import { createDrop } from "../drops/save.server.ts";
import { tryPublishShopDrops } from "../drops/gate/publish.server.ts";
import { authenticate } from "../shopify.server.ts";

export async function loader({ request }: LoaderFunctionArgs) {
  const { admin } = await authenticate.admin(request);
  return answering(async () => {
    const shop = await shopSettings(admin);
    return json({ initial: emptyDropForm(shop.timeZone) });
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { admin, session, redirect } = await authenticate.admin(request);
  const deps = dropsDeps(context);
  try {
    const values = await readDropForm(request);
    // The shop's time zone, whatever the browser sent; if Shopify does not answer, the one
    // the page was rendered with (the shop's as of a moment ago).
    const timeZone = await shopSettings(admin).then(
      (shop) => shop.timeZone,
      () => values.timeZone,
    );
    const saleId = await createDrop(deps, await scopeOfShop(deps, session.shop), { ...values, timeZone });
    // The theme's app embed reads the drop from the app's metafield.
    // The theme's app embed and the checkout gate read the shop's drops from metafields.
    await tryPublishShopDrops(admin, publishDeps(context), (await deps.sales.get(saleId)).sale.storeId);
    return redirect(`/app/drops/${saleId}/live`);
  } catch (error) {
    const failure = formFailure(error);
    if (failure) return json({ error: failure.problem }, { status: failure.status });
    throw error;
  }
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

import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";

import { DropEditor, SavedBanner } from "../components/DropEditor.tsx";
import { EmbeddedErrorBoundary } from "../components/EmbeddedErrorBoundary.tsx";
import { WhileLoading } from "../components/PageStates.tsx";
import { ShopifyProductPicker } from "../components/ShopifyProductPicker.tsx";
import { loadDrop } from "../drops/access.server.ts";
import { shopSettings } from "../drops/catalog.server.ts";
import { dropsDeps, publishDeps, scopeOfShop } from "../drops/context.server.ts";
import { answering } from "../drops/errors.server.ts";
import { dropToForm, formFailure, readDropForm } from "../drops/form.server.ts";
import { updateDrop } from "../drops/save.server.ts";
import { tryPublishShopDrops } from "../drops/gate/publish.server.ts";
import { authenticate } from "../shopify.server.ts";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { admin, session } = await authenticate.admin(request);
  return answering(async () => {
    const deps = dropsDeps(context);
    const saleId = params.id ?? "";
    const [details, shop] = await Promise.all([scopeOfShop(deps, session.shop).then((scope) => loadDrop(deps, scope, saleId)), shopSettings(admin)]);
    return json({ saleId, state: details.sale.state, name: details.sale.name, initial: dropToForm(details, shop.timeZone) });
  });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { admin, session } = await authenticate.admin(request);
  const deps = dropsDeps(context);
  try {
    const values = await readDropForm(request);
    const timeZone = await shopSettings(admin).then(
      (shop) => shop.timeZone,
      () => values.timeZone,
    );
    const saleId = params.id ?? "";
    await updateDrop(deps, await scopeOfShop(deps, session.shop), saleId, { ...values, timeZone });
    // The theme's app embed and the checkout gate read the shop's drops from metafields.
    await tryPublishShopDrops(admin, publishDeps(context), (await deps.sales.get(saleId)).sale.storeId);
    return json({ saved: true as const });
  } catch (error) {
    const failure = formFailure(error);
    if (failure) return json({ error: failure.problem }, { status: failure.status });
    return answering(() => Promise.reject(error));
  }
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
      />
    </WhileLoading>
  );
}

export const ErrorBoundary = EmbeddedErrorBoundary;

import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { OrdersPage } from "../components/OrdersPage.tsx";
import { EmbeddedErrorBoundary } from "../components/EmbeddedErrorBoundary.tsx";
import { WhileLoading } from "../components/PageStates.tsx";
import { ordersLoader } from "../drops/pages.server.ts";
import { shopifySurface } from "../drops/surfaces.server.ts";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return ordersLoader(await shopifySurface(request, context), request, params.id ?? "");
}

export default function DropOrders() {
  const data = useLoaderData<typeof loader>();
  return (
    <WhileLoading title={`Orders: ${data.name}`}>
      <OrdersPage {...data} base="/app" />
    </WhileLoading>
  );
}

export const ErrorBoundary = EmbeddedErrorBoundary;

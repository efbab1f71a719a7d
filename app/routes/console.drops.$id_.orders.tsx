import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { OrdersPage } from "../components/OrdersPage.tsx";
import { RouteErrorPage, WhileLoading } from "../components/PageStates.tsx";
import { ordersLoader } from "../drops/pages.server.ts";
import { consoleSurface } from "../drops/surfaces.server.ts";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return ordersLoader(consoleSurface(request, context), request, params.id ?? "");
}

export default function DropOrders() {
  const data = useLoaderData<typeof loader>();
  return (
    <WhileLoading title={`Orders: ${data.name}`}>
      <OrdersPage {...data} base="/console" />
    </WhileLoading>
  );
}

export function ErrorBoundary() {
  return <RouteErrorPage listUrl="/console" />;
}

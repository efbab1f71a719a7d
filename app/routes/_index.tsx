import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

/**
 * The app URL. Shopify opens it embedded with `?shop=...&host=...` (and `embedded=1`): send
 * those into the admin at /app, query intact, so authentication sees them. Anyone else gets
 * a short page pointing to where things are.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (url.searchParams.get("shop") || url.searchParams.get("embedded") === "1") {
    throw redirect(`/app?${url.searchParams.toString()}`);
  }
  return null;
}

export default function Index() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "48px auto", lineHeight: 1.5 }}>
      <h1>Holdfast</h1>
      <p>Flash sales that never oversell: atomic stock holds, a fair waiting room and back-pressured orders.</p>
      <ul>
        <li>
          See it work: the <a href="/demo">demo store</a> (a live drop with test payments).
        </li>
        <li>
          Run your drops: the <a href="/console">console</a> (sign in with the admin token `npm start` printed).
        </li>
        <li>
          Shopify merchants: install the app from the Shopify admin, or <a href="/auth/login">log in with your shop domain</a>.
        </li>
        <li>
          Health: <a href="/healthz">/healthz</a>, readiness: <a href="/readyz">/readyz</a>.
        </li>
      </ul>
    </main>
  );
}

import { Links, Meta, Outlet, Scripts, ScrollRestoration } from "@remix-run/react";

/** The document every Remix page renders in; the embedded admin layout is app/routes/app.tsx. */
export default function App() {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
        {/* No icon to fetch: a browser's /favicon.ico request would 404 on every page. */}
        <link rel="icon" href="data:," />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

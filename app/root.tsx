import { Links, Meta, Outlet, Scripts, ScrollRestoration } from "@remix-run/react";

/** The document every Remix page renders in; the embedded admin layout is app/routes/app.tsx. */
export default function App() {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
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

import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { Banner, BlockStack, Card, List, Page, Text } from "@shopify/polaris";

import { authenticate, shopify, shopifyApiKey, shopifyMissingSettings } from "../shopify.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

/**
 * The embedded admin's layout: every /app page is authenticated here first (session token,
 * then token exchange on first install), so child routes can call authenticate.admin cheaply.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  if (!shopify()) return { configured: false as const, apiKey: "", missing: shopifyMissingSettings() };
  await authenticate.admin(request);
  return { configured: true as const, apiKey: shopifyApiKey(), missing: [] as string[] };
}

export default function EmbeddedApp() {
  const { configured, apiKey, missing } = useLoaderData<typeof loader>();
  if (!configured) return <NotConfigured missing={missing} />;
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <NavMenu>
        <Link to="/app" rel="home">
          Drops
        </Link>
        <Link to="/app/drops/new">New drop</Link>
        <Link to="/app/privacy">Privacy requests</Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

/** Shown at /app when the server has no Shopify credentials: what to set, and where. */
function NotConfigured({ missing }: { missing: string[] }) {
  return (
    <AppProvider isEmbeddedApp={false} apiKey="">
      <Page title="Holdfast for Shopify is not configured">
        <Card>
          <BlockStack gap="300">
            <Banner tone="warning" title="The Shopify app is off on this server">
              <p>The storefront API and the standalone console work without it.</p>
            </Banner>
            <Text as="p">Set these environment variables and restart the server:</Text>
            <List>
              {missing.map((name) => (
                <List.Item key={name}>
                  <code>{name}</code>
                </List.Item>
              ))}
              <List.Item>
                <code>SHOPIFY_APP_URL</code>: the public https address of this server (set by <code>shopify app dev</code>)
              </List.Item>
            </List>
            <Text as="p">
              Take the client id and secret from your app in the Shopify Partner Dashboard, or run <code>shopify app dev</code>, which sets all three. See the
              README, section “Shopify app”.
            </Text>
          </BlockStack>
        </Card>
      </Page>
    </AppProvider>
  );
}

// Shopify's boundary turns the library's thrown responses (re-authentication, bounce pages) into the right answer.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);

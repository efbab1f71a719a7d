import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import { useState } from "react";

import { insideAdmin } from "../../drops/insideAdmin.server.ts";
import { login, shopify, shopifyMissingSettings } from "../../shopify.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

type LoginErrors = { shop?: string };

function messages(errors: { shop?: LoginErrorType } | undefined): LoginErrors {
  if (errors?.shop === LoginErrorType.MissingShop) return { shop: "Enter your shop domain to log in." };
  if (errors?.shop === LoginErrorType.InvalidShop) return { shop: "Enter a valid shop domain, like example.myshopify.com." };
  return {};
}

/** Outside the Shopify admin (first install from a link, a bookmark): ask for the shop, then OAuth. */
export async function loader({ request }: LoaderFunctionArgs) {
  if (!shopify()) return { errors: {} as LoginErrors, missing: shopifyMissingSettings(), inAdmin: false };
  const inAdmin = insideAdmin(request);
  // With a shop (from the admin or a link) the library goes straight on to Shopify; without one, inside the admin, say where to open the app.
  if (inAdmin && !new URL(request.url).searchParams.has("shop")) return { errors: {} as LoginErrors, missing: [] as string[], inAdmin };
  return { errors: messages(await login(request)), missing: [] as string[], inAdmin };
}

export async function action({ request }: ActionFunctionArgs) {
  if (!shopify()) return { errors: { shop: `The Shopify app is not configured on this server (set ${shopifyMissingSettings().join(" and ")}).` } };
  return { errors: messages(await login(request)) };
}

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const errors = actionData?.errors ?? loaderData.errors;
  if (loaderData.inAdmin) return <OpenFromAdmin />;
  return (
    <AppProvider isEmbeddedApp={false} apiKey="">
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h2">
                Log in to Holdfast
              </Text>
              {loaderData.missing.length > 0 ? (
                <Text as="p" tone="critical">
                  The Shopify app is not configured on this server: set {loaderData.missing.join(" and ")}.
                </Text>
              ) : null}
              <TextField
                type="text"
                name="shop"
                label="Shop domain"
                helpText="example.myshopify.com"
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={errors.shop}
              />
              <Button submit>Log in</Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </AppProvider>
  );
}

/** Inside the admin without a shop: no domain prompt, the way back in. */
function OpenFromAdmin() {
  return (
    <AppProvider isEmbeddedApp={false} apiKey="">
      <Page narrowWidth title="Holdfast">
        <Card>
          <Text as="p">Open Holdfast from your Shopify admin: Apps, then Holdfast. If it keeps showing this page, reload the admin.</Text>
        </Card>
      </Page>
    </AppProvider>
  );
}

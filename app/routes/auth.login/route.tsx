import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import { useState } from "react";

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
  if (!shopify()) return { errors: {} as LoginErrors, missing: shopifyMissingSettings() };
  return { errors: messages(await login(request)), missing: [] as string[] };
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

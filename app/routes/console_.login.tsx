import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import { ConsolePolaris } from "../components/ConsoleFrame.tsx";
import { consoleCookie, isSignedIn, tokenMatches } from "../drops/consoleAuth.server.ts";
import { consoleAdminToken } from "../drops/context.server.ts";

export const meta: MetaFunction = () => [{ title: "Sign in: Holdfast console" }];

/** Only paths inside the console: `next` must never send a signed-in merchant elsewhere. */
function nextPath(raw: string | null): string {
  return raw && /^\/console(\/[\w$/-]*)?$/.test(raw) ? raw : "/console";
}

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (isSignedIn(request, consoleAdminToken(), Date.now())) throw redirect(nextPath(url.searchParams.get("next")));
  return json({});
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  const token = String(form.get("token") ?? "").trim();
  const adminToken = consoleAdminToken();
  if (token === "" || !tokenMatches(token, adminToken)) {
    return json(
      {
        error: {
          code: "unauthorized",
          message: "That is not the admin token. Use HOLDFAST_ADMIN_TOKEN, or the token in the file `npm start` names (prisma/.holdfast-admin-token).",
        },
      },
      { status: 401 },
    );
  }
  return redirect(nextPath(new URL(request.url).searchParams.get("next") ?? String(form.get("next") ?? "")), {
    headers: { "set-cookie": consoleCookie(request, adminToken, Date.now()) },
  });
}

export default function ConsoleLogin() {
  const answer = useActionData<typeof action>();
  const [params] = useSearchParams();
  const [token, setToken] = useState("");
  const signingIn = useNavigation().state === "submitting";
  return (
    <ConsolePolaris>
      <main>
        <Page title="Holdfast console" narrowWidth>
          <Card>
            {/* `next` rides in the query string: the form has no hidden field to keep in step. */}
            <Form method="post" action={`/console/login?next=${encodeURIComponent(nextPath(params.get("next")))}`}>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Sign in
                </Text>
                {answer?.error && (
                  <Banner tone="critical" title="Not signed in">
                    {answer.error.message}
                  </Banner>
                )}
                <TextField
                  label="Admin token"
                  name="token"
                  type="password"
                  value={token}
                  onChange={setToken}
                  autoComplete="current-password"
                  helpText="HOLDFAST_ADMIN_TOKEN, or the token file npm start prints."
                />
                <Button submit variant="primary" loading={signingIn}>
                  Sign in
                </Button>
              </BlockStack>
            </Form>
          </Card>
        </Page>
      </main>
    </ConsolePolaris>
  );
}

import "@shopify/polaris/build/esm/styles.css";

import { Form, Link } from "@remix-run/react";
import { AppProvider, Box, Button, InlineStack, Text, type AppProviderProps } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json" with { type: "json" };
import type { ComponentType, ReactNode } from "react";

type LinkLikeComponentProps = NonNullable<AppProviderProps["linkComponent"]> extends ComponentType<infer Props> ? Props : never;

/** Polaris links as Remix links, so console pages change without a full reload. */
function ConsoleLink({ url, children, external, ...rest }: LinkLikeComponentProps) {
  if (external) {
    return (
      <a href={url} target="_blank" rel="noopener noreferrer" {...rest}>
        {children}
      </a>
    );
  }
  return (
    <Link to={url} {...rest}>
      {children}
    </Link>
  );
}

/** The standalone console's Polaris setup (the embedded app gets its own from shopify-app-remix). */
export function ConsolePolaris({ children }: { children: ReactNode }) {
  return (
    <AppProvider i18n={en} linkComponent={ConsoleLink}>
      {children}
    </AppProvider>
  );
}

/** The console's frame: a top bar with the product name and sign-out, then the page. */
export function ConsoleFrame({ children }: { children: ReactNode }) {
  return (
    <ConsolePolaris>
      <header>
        <Box padding="300" background="bg-surface" borderBlockEndWidth="025" borderColor="border">
          <InlineStack align="space-between" blockAlign="center">
            <nav aria-label="Console">
              <InlineStack gap="400" blockAlign="center">
                <Text as="p" variant="headingMd">
                  Holdfast console
                </Text>
                <Link to="/console">Drops</Link>
              </InlineStack>
            </nav>
            <Form method="post" action="/console/logout">
              <Button submit variant="plain">
                Sign out
              </Button>
            </Form>
          </InlineStack>
        </Box>
      </header>
      <main>{children}</main>
    </ConsolePolaris>
  );
}

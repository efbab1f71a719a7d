import { isRouteErrorResponse, useNavigation, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Box, Card, Page, SkeletonBodyText, SkeletonDisplayText, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

/** A page being replaced by another: a skeleton instead of stale numbers. */
export function LoadingPage({ title }: { title: string }) {
  return (
    <Page title={title}>
      <div role="status" aria-live="polite" aria-busy="true">
        <Card>
          <BlockStack gap="400">
            <SkeletonDisplayText size="small" />
            <SkeletonBodyText lines={4} />
            <Text as="span" visuallyHidden>
              Loading
            </Text>
          </BlockStack>
        </Card>
      </div>
    </Page>
  );
}

/** Shows the page, or its loading state while Remix loads another page. */
export function WhileLoading({ title, children }: { title: string; children: ReactNode }) {
  const navigation = useNavigation();
  if (navigation.state === "loading" && navigation.formMethod === undefined) return <LoadingPage title={title} />;
  return <>{children}</>;
}

interface ErrorBody {
  error?: { code?: string; message?: string };
}

/** What went wrong and what to do next, for a route's ErrorBoundary. */
export function describeRouteError(
  error: unknown,
  listUrl: string,
): { title: string; message: string; code: string; action: { content: string; url: string } } {
  if (isRouteErrorResponse(error)) {
    const body = (typeof error.data === "string" ? safeJson(error.data) : error.data) as ErrorBody | null;
    const code = body?.error?.code ?? `http_${error.status}`;
    const message =
      body?.error?.message ?? (error.status === 404 ? "This page does not exist." : `The request failed (${error.status}). Reload the page to try again.`);
    if (error.status === 401) return { title: "Signed out", message, code, action: { content: "Sign in", url: "/console/login" } };
    if (error.status === 404) return { title: "Not found", message, code, action: { content: "Back to drops", url: listUrl } };
    return { title: "Something needs attention", message, code, action: { content: "Back to drops", url: listUrl } };
  }
  return {
    title: "Something went wrong",
    message:
      "Holdfast could not show this page. Reload it; if this keeps happening, check that the Holdfast server can reach Redis and its database (/readyz).",
    code: "internal_error",
    action: { content: "Back to drops", url: listUrl },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function RouteErrorPage({ listUrl }: { listUrl: string }) {
  const described = describeRouteError(useRouteError(), listUrl);
  return (
    <Page title={described.title}>
      <Banner tone="critical" title={described.title} action={described.action}>
        <p>{described.message}</p>
        <Box paddingBlockStart="200">
          <Text as="p" tone="subdued" variant="bodySm">
            Error code: {described.code}
          </Text>
        </Box>
      </Banner>
    </Page>
  );
}

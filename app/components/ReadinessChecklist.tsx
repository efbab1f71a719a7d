import { useFetcher, useRevalidator } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, Checkbox, Divider, InlineStack, Page, Text } from "@shopify/polaris";

export interface ReadinessItem {
  id: string;
  title: string;
  status: "pass" | "fail" | "unknown";
  detail: string;
  /** A Shopify admin page where it is fixed. */
  fix?: { label: string; url: string };
}

export interface ManualItem {
  id: string;
  title: string;
  help: string;
  done: boolean;
}

const BADGES = {
  pass: <Badge tone="success">Ready</Badge>,
  fail: <Badge tone="critical">Needs action</Badge>,
  unknown: <Badge tone="warning">Could not check</Badge>,
};

interface ReadinessChecklistProps {
  saleId: string;
  name: string;
  base: string;
  checks: ReadinessItem[];
  manual: ManualItem[];
  plus: boolean;
}

/** Automatic checks against the shop, then the manual steps the merchant ticks (saved at once). */
export function ReadinessChecklist({ saleId, name, base, checks, manual, plus }: ReadinessChecklistProps) {
  const tick = useFetcher<{ ok: true } | { error: { code: string; message: string } }>();
  const revalidator = useRevalidator();
  const passed = checks.filter((check) => check.status === "pass").length;
  // Optimistic: the box shows the merchant's click while it is saved.
  const pending = tick.formData ? { id: String(tick.formData.get("step")), done: tick.formData.get("done") === "true" } : null;
  return (
    <Page
      title={`Readiness: ${name}`}
      backAction={{ content: "Drop", url: `${base}/drops/${saleId}` }}
      secondaryActions={[{ content: "Live dashboard", url: `${base}/drops/${saleId}/live` }]}
    >
      <BlockStack gap="400">
        <Card>
          <BlockStack gap="300">
            <InlineStack align="space-between" blockAlign="center">
              <Text as="h2" variant="headingMd">
                Checked automatically ({passed} of {checks.length} ready)
              </Text>
              <Button onClick={() => revalidator.revalidate()} loading={revalidator.state !== "idle"}>
                Check again
              </Button>
            </InlineStack>
            {checks.map((check, index) => (
              <BlockStack gap="100" key={check.id}>
                {index > 0 && <Divider />}
                <Box paddingBlockStart={index > 0 ? "200" : "0"}>
                  <InlineStack gap="200" blockAlign="center">
                    {BADGES[check.status]}
                    <Text as="h3" variant="headingSm">
                      {check.title}
                    </Text>
                  </InlineStack>
                </Box>
                <Text as="p" tone={check.status === "pass" ? "subdued" : undefined} data-check={check.id}>
                  {check.detail}
                </Text>
                {check.fix && (
                  <InlineStack>
                    {/* The admin's own pages open in its top frame, not inside the app's iframe. */}
                    <Button url={check.fix.url} target="_top" accessibilityLabel={`${check.fix.label} (${check.title})`}>
                      {check.fix.label}
                    </Button>
                  </InlineStack>
                )}
              </BlockStack>
            ))}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Before the drop (tick when done)
            </Text>
            {!plus && (
              <Text as="p" tone="subdued">
                The checkout queue and Launchpad come with Shopify Plus; on other plans, skip them.
              </Text>
            )}
            {tick.data && "error" in tick.data && (
              <Text as="p" tone="critical">
                {tick.data.error.message}
              </Text>
            )}
            {manual.map((step) => (
              <Checkbox
                key={step.id}
                label={step.title}
                helpText={step.help}
                checked={pending?.id === step.id ? pending.done : step.done}
                onChange={(done) => tick.submit({ intent: "tick", step: step.id, done: String(done) }, { method: "post" })}
              />
            ))}
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}

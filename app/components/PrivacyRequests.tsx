import { Banner, BlockStack, Button, Card, EmptyState, IndexTable, Page, Text } from "@shopify/polaris";
import { useState } from "react";

import { downloadThroughFetch } from "./download.ts";
import { formatInZone } from "./zonedTime.ts";

export interface PrivacyRequestRow {
  id: string;
  customer: string;
  receivedAt: number;
}

/** What a downloaded report is called (the download route names it the same). */
export function privacyReportFilename(id: string): string {
  return `holdfast-privacy-report-${id}.json`;
}

// Inline, so the empty state needs no request to a CDN.
const EMPTY_IMAGE =
  "data:image/svg+xml;utf8," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="226" height="120" viewBox="0 0 226 120"><rect x="83" y="16" width="60" height="88" rx="6" fill="#e3e3e3"/><circle cx="113" cy="46" r="14" fill="#b5b5b5"/><rect x="95" y="70" width="36" height="8" rx="4" fill="#b5b5b5"/></svg>',
  );

/**
 * customers/data_request reports: Shopify asks on the customer's behalf, Holdfast keeps what it
 * holds about them sealed, and the merchant downloads it here to send to the customer.
 */
export function PrivacyRequests({ requests, timeZone }: { requests: PrivacyRequestRow[]; timeZone: string }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const download = async (id: string) => {
    setBusy(id);
    setFailed(false);
    try {
      await downloadThroughFetch(`/app/privacy/${id}.json`, privacyReportFilename(id));
    } catch {
      setFailed(true);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Page title="Privacy requests" subtitle="Customers' data requests that Shopify forwarded to Holdfast">
      <BlockStack gap="400">
        {failed && (
          <Banner tone="critical" title="The report could not be downloaded" onDismiss={() => setFailed(false)}>
            Reload the page and try again.
          </Banner>
        )}
        <Card>
          {requests.length === 0 ? (
            <EmptyState heading="No privacy requests" image={EMPTY_IMAGE}>
              <p>
                When a customer asks your store for their data, Shopify tells Holdfast and the report of what Holdfast keeps about them (drop orders, holds,
                units counted against limits) appears here for you to send them. Reports go when the customer is redacted.
              </p>
            </EmptyState>
          ) : (
            <IndexTable
              resourceName={{ singular: "request", plural: "requests" }}
              itemCount={requests.length}
              selectable={false}
              headings={[{ title: "Received" }, { title: "Customer" }, { title: "Report" }]}
            >
              {requests.map((request, index) => (
                <IndexTable.Row id={request.id} key={request.id} position={index}>
                  <IndexTable.Cell>{formatInZone(request.receivedAt, timeZone)}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" fontWeight="semibold">
                      {request.customer}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Button
                      onClick={() => void download(request.id)}
                      loading={busy === request.id}
                      accessibilityLabel={`Download the report for ${request.customer}`}
                    >
                      Download JSON
                    </Button>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          )}
        </Card>
      </BlockStack>
    </Page>
  );
}

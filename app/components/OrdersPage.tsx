import { Badge, Banner, BlockStack, Button, ButtonGroup, Card, EmptyState, IndexTable, InlineStack, Page, Text } from "@shopify/polaris";
import { useState } from "react";

import { downloadThroughFetch } from "./download.ts";
import { formatInZone } from "./zonedTime.ts";

export type OrdersFilter = "all" | "placed" | "bypass" | "failed" | "oversold";

export interface OrderRowView {
  ref: string;
  status: string;
  customer: string | null;
  bypass: boolean;
  /** "Sneaker 42 × 2, Cap × 1" */
  products: string;
  units: number;
  oversoldUnits: number;
  placedAt: number;
}

const FILTERS: { value: OrdersFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "placed", label: "Placed" },
  { value: "bypass", label: "Skipped the queue" },
  { value: "failed", label: "Failed or cancelled" },
  { value: "oversold", label: "Oversold" },
];

const STATUS: Record<string, { label: string; tone?: "success" | "attention" | "critical" | "warning" | "info" }> = {
  committed: { label: "Placed", tone: "success" },
  taken: { label: "Placed (skipped the queue)", tone: "attention" },
  flagged: { label: "Flagged for review", tone: "warning" },
  cancel_requested: { label: "Cancellation requested", tone: "critical" },
  oversold_on_platform: { label: "Oversold", tone: "critical" },
  cancelled: { label: "Cancelled" },
  failed: { label: "Failed" },
  cancelled_after_sale: { label: "Cancelled after sale", tone: "info" },
};

const EMPTY_IMAGE =
  "data:image/svg+xml;utf8," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="226" height="120" viewBox="0 0 226 120"><rect x="63" y="20" width="100" height="80" rx="8" fill="#e3e3e3"/><rect x="78" y="38" width="70" height="8" rx="4" fill="#b5b5b5"/><rect x="78" y="56" width="50" height="8" rx="4" fill="#b5b5b5"/></svg>',
  );

interface OrdersPageProps {
  saleId: string;
  name: string;
  base: string;
  filter: OrdersFilter;
  counts: Record<OrdersFilter, number>;
  orders: OrderRowView[];
  truncated: boolean;
}

/** The orders of one drop: which sold, which skipped the queue, which failed, which oversold; filters and a CSV download. */
export function OrdersPage({ saleId, name, base, filter, counts, orders, truncated }: OrdersPageProps) {
  const pageUrl = `${base}/drops/${saleId}/orders`;
  const csvUrl = `${pageUrl}.csv?filter=${filter}`;
  const [download, setDownload] = useState<"idle" | "busy" | "failed">("idle");
  const downloadCsv = async () => {
    setDownload("busy");
    try {
      await downloadThroughFetch(csvUrl, `holdfast-${saleId}-orders-${filter}.csv`);
      setDownload("idle");
    } catch {
      setDownload("failed");
    }
  };
  return (
    <Page
      title={`Orders: ${name}`}
      backAction={{ content: "Live dashboard", url: `${base}/drops/${saleId}/live` }}
      secondaryActions={[{ content: "Download CSV", onAction: () => void downloadCsv(), loading: download === "busy", disabled: counts[filter] === 0 }]}
    >
      <BlockStack gap="400">
        {download === "failed" && (
          <Banner tone="critical" title="The CSV could not be downloaded" onDismiss={() => setDownload("idle")}>
            Reload the page and try again.
          </Banner>
        )}
        <ButtonGroup variant="segmented">
          {FILTERS.map((entry) => (
            <Button key={entry.value} url={`${pageUrl}?filter=${entry.value}`} pressed={entry.value === filter}>
              {`${entry.label} (${counts[entry.value]})`}
            </Button>
          ))}
        </ButtonGroup>
        {orders.length === 0 ? (
          <Card>
            <EmptyState heading={counts.all === 0 ? "No orders yet" : "No orders match this filter"} image={EMPTY_IMAGE}>
              <p>
                {counts.all === 0
                  ? "Orders for this drop's products appear here as the store reports them, within seconds of checkout."
                  : "Pick another filter above to see the drop's other orders."}
              </p>
            </EmptyState>
          </Card>
        ) : (
          <Card padding="0">
            <IndexTable
              resourceName={{ singular: "order", plural: "orders" }}
              itemCount={orders.length}
              selectable={false}
              headings={[
                { title: "Order" },
                { title: "Status" },
                { title: "Placed (UTC)" },
                { title: "Customer" },
                { title: "Products" },
                { title: "Units", alignment: "end" },
                { title: "Oversold", alignment: "end" },
              ]}
            >
              {orders.map((order, index) => {
                const status = STATUS[order.status] ?? { label: order.status };
                return (
                  <IndexTable.Row id={order.ref} key={order.ref} position={index}>
                    <IndexTable.Cell>
                      <Text as="span" fontWeight="semibold">
                        {order.ref}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <InlineStack gap="100">
                        {status.tone ? <Badge tone={status.tone}>{status.label}</Badge> : <Badge>{status.label}</Badge>}
                        {order.bypass && order.status !== "taken" && <Badge tone="attention">Skipped the queue</Badge>}
                      </InlineStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{formatInZone(order.placedAt, "UTC")}</IndexTable.Cell>
                    <IndexTable.Cell>{order.customer ?? "—"}</IndexTable.Cell>
                    <IndexTable.Cell>{order.products || "—"}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {order.units}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric tone={order.oversoldUnits > 0 ? "critical" : undefined}>
                        {order.oversoldUnits}
                      </Text>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                );
              })}
            </IndexTable>
          </Card>
        )}
        {truncated && (
          <Text as="p" tone="subdued">
            Showing the newest {orders.length} of {counts[filter]}; the CSV has them all.
          </Text>
        )}
      </BlockStack>
    </Page>
  );
}

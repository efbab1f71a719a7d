import { Link } from "@remix-run/react";
import { Badge, BlockStack, Card, EmptyState, IndexTable, InlineStack, Page, Text } from "@shopify/polaris";

import { StateBadge } from "./StateBadge.tsx";
import { formatInZone } from "./zonedTime.ts";

export interface DropListRow {
  id: string;
  name: string;
  state: string;
  startsAt: number | null;
  endsAt: number | null;
  sold: number | null;
  allocated: number;
  live: boolean;
  waiting: number | null;
}

// Inline, so the empty state needs no request to a CDN.
const EMPTY_IMAGE =
  "data:image/svg+xml;utf8," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="226" height="120" viewBox="0 0 226 120"><rect x="63" y="20" width="100" height="80" rx="8" fill="#e3e3e3"/><rect x="78" y="38" width="70" height="8" rx="4" fill="#b5b5b5"/><rect x="78" y="56" width="50" height="8" rx="4" fill="#b5b5b5"/><rect x="78" y="74" width="60" height="8" rx="4" fill="#b5b5b5"/></svg>',
  );

/**
 * The drop's time as its state makes it true: a selling drop is never "Not scheduled",
 * whether it was scheduled or started by hand.
 */
export function whenText(drop: Pick<DropListRow, "state" | "startsAt" | "endsAt">, timeZone: string): string {
  const at = (ms: number) => formatInZone(ms, timeZone);
  const until = drop.endsAt === null ? "" : `, until ${at(drop.endsAt)}`;
  switch (drop.state) {
    case "draft":
      return drop.startsAt === null ? "Not scheduled" : `Starts ${at(drop.startsAt)}`;
    case "scheduled":
    case "prequeue":
      return drop.startsAt === null ? "Waiting for a start time" : `Starts ${at(drop.startsAt)}${until}`;
    case "live":
      return (drop.startsAt === null || drop.startsAt > Date.now() ? "Selling now (started by hand)" : `Selling since ${at(drop.startsAt)}`) + until;
    case "paused":
      return `Paused${until}`;
    case "ended":
      // Ended by hand before its planned end: the planned time is not when it ended.
      return drop.endsAt === null || drop.endsAt > Date.now() ? "Ended" : `Ended ${at(drop.endsAt)}`;
    default:
      return drop.startsAt === null ? "Not scheduled" : at(drop.startsAt);
  }
}

interface DropsListProps {
  drops: DropListRow[];
  /** "/app" or "/console". */
  base: string;
  timeZone: string;
}

export function DropsList({ drops, base, timeZone }: DropsListProps) {
  const newUrl = `${base}/drops/new`;
  return (
    <Page title="Drops" primaryAction={drops.length > 0 ? { content: "Create drop", url: newUrl } : undefined}>
      {drops.length === 0 ? (
        <Card>
          <EmptyState heading="Run your first drop" action={{ content: "Create drop", url: newUrl }} image={EMPTY_IMAGE}>
            <p>A drop holds stock for shoppers in a fair waiting room, so a launch never oversells. Pick products, set a start time and a rate.</p>
          </EmptyState>
        </Card>
      ) : (
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: "drop", plural: "drops" }}
            itemCount={drops.length}
            selectable={false}
            headings={[
              { title: "Drop" },
              { title: "Status" },
              { title: `When (${timeZone})` },
              { title: "Sold / allocated", alignment: "end" },
              { title: "Waiting", alignment: "end" },
            ]}
          >
            {drops.map((drop, index) => (
              <IndexTable.Row id={drop.id} key={drop.id} position={index}>
                <IndexTable.Cell>
                  <BlockStack gap="100">
                    <Link to={`${base}/drops/${drop.id}${drop.state === "draft" ? "" : "/live"}`}>
                      <Text as="span" fontWeight="semibold">
                        {drop.name}
                      </Text>
                    </Link>
                    <InlineStack gap="200">
                      <Link to={`${base}/drops/${drop.id}`}>Settings</Link>
                      <Link to={`${base}/drops/${drop.id}/live`}>Dashboard</Link>
                      <Link to={`${base}/drops/${drop.id}/orders`}>Orders</Link>
                      {base === "/app" && <Link to={`${base}/drops/${drop.id}/readiness`}>Readiness</Link>}
                    </InlineStack>
                  </BlockStack>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <InlineStack gap="100">
                    <StateBadge state={drop.state} />
                    {drop.live && (
                      <Badge tone="success" progress="incomplete">
                        Selling now
                      </Badge>
                    )}
                  </InlineStack>
                </IndexTable.Cell>
                <IndexTable.Cell>{whenText(drop, timeZone)}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {drop.sold ?? 0} / {drop.allocated}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {drop.state === "ended" ? "—" : (drop.waiting ?? "—")}
                  </Text>
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
      )}
    </Page>
  );
}

import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";

import { SalesChart, type ChartSample } from "./SalesChart.tsx";
import { ConfirmModal, type Confirmation } from "./ConfirmModal.tsx";
import { PlacementPanel, type PlacementView } from "./PlacementPanel.tsx";
import { StateBadge } from "./StateBadge.tsx";

/** The dashboard's numbers, as app/drops/live.server.ts reads them. */
export interface LiveNumbers {
  saleId: string;
  name: string;
  state: string;
  at: number;
  waiting: number;
  admittedTotal: number;
  admittedLastMinute: number;
  activeHolds: number;
  held: number;
  sold: number;
  remaining: number;
  allocated: number;
  soldOut: boolean;
  holdsExpired: number;
  bypassOrders: number;
  bypassFlagged: number;
  /** Units platforms sold beyond the drop's stock, and the orders they came with (never hidden). */
  oversold: { orders: number; units: number };
  /** Null for a drop without a platform store (nothing to write back to). Breaker null: not reported here. */
  writeBack: { lagSeconds: number; breaker: string | null; refused: number } | null;
  /** Set when Shopify refused to renew the store's access: what the merchant must do. */
  reauthorize: string | null;
  admission: { mode: string; perMinute: number | null; maxActive: number | null };
  series: ChartSample[];
  /** The latest rebuild of the drop's stock from its orders after Redis lost it (null: never); `notice` is the banner's text. */
  recovery: { at: number; holdsLost: number; ordersFailed: number; notice: string } | null;
}

type ControlAnswer = { ok: true } | { error: { code: string; message: string } };

export const POLL_MS = 3_000;

function Metric({ label, value, help }: { label: string; value: string | number; help?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg" numeric>
          <span data-metric={label}>{value}</span>
        </Text>
        {help && (
          <Text as="p" variant="bodySm" tone="subdued">
            {help}
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

interface LiveDashboardProps {
  initial: LiveNumbers;
  /** How to put the drop on the store; shown until the drop ends. */
  placement?: PlacementView;
  /** Just created: say it was saved. */
  created?: boolean;
  /** "/app" or "/console". */
  base: string;
  /** The JSON resource route the page polls. */
  statsUrl: string;
}

/**
 * The live page of one drop. It polls statsUrl every few seconds with a fetcher (no reload,
 * paused while the tab is hidden) and posts controls to its own route's action.
 */
export function LiveDashboard({ initial, base, statsUrl, placement, created }: LiveDashboardProps) {
  const poll = useFetcher<LiveNumbers | { error: { code: string; message: string } }>();
  const control = useFetcher<ControlAnswer>();
  const [live, setLive] = useState<LiveNumbers>(initial);
  const [stale, setStale] = useState<string | null>(null);
  const [rate, setRate] = useState(String(initial.admission.perMinute ?? 600));
  const lastControl = useRef<unknown>(null);

  useEffect(() => {
    if (poll.state !== "idle" || !poll.data) return;
    if ("error" in poll.data) setStale(poll.data.error.message);
    else {
      setLive(poll.data);
      setStale(null);
    }
  }, [poll.state, poll.data]);

  const pollRef = useRef(poll);
  pollRef.current = poll;
  useEffect(() => {
    const tick = () => {
      if (document.visibilityState === "visible" && pollRef.current.state === "idle") pollRef.current.load(statsUrl);
    };
    const timer = setInterval(tick, POLL_MS);
    return () => clearInterval(timer);
  }, [statsUrl]);

  // After a control ran, read the numbers at once instead of waiting for the next tick.
  useEffect(() => {
    if (control.state === "idle" && control.data && lastControl.current !== control.data) {
      lastControl.current = control.data;
      pollRef.current.load(statsUrl);
    }
  }, [control.state, control.data, statsUrl]);

  const run = (intent: string, extra: Record<string, string> = {}) => control.submit({ intent, ...extra }, { method: "post" });
  // A destructive control waits for the merchant's yes in a modal.
  const [asking, setAsking] = useState<{ confirmation: Confirmation; intent: string; extra: Record<string, string> } | null>(null);
  const ask = (intent: string, confirmation: Confirmation, extra: Record<string, string> = {}) => setAsking({ confirmation, intent, extra });
  const busy = control.state !== "idle";
  const controlError = control.data && "error" in control.data ? control.data.error.message : null;
  const { state } = live;
  const canStart = state === "draft" || state === "scheduled" || state === "prequeue";

  return (
    <Page
      title={live.name}
      titleMetadata={<StateBadge state={state} />}
      subtitle="Live dashboard: refreshes every few seconds"
      backAction={{ content: "Drops", url: base }}
      secondaryActions={[
        { content: "Settings", url: `${base}/drops/${live.saleId}` },
        { content: "Orders", url: `${base}/drops/${live.saleId}/orders` },
      ]}
    >
      <ConfirmModal
        confirmation={asking?.confirmation ?? null}
        onCancel={() => setAsking(null)}
        onConfirm={() => {
          if (asking) run(asking.intent, asking.extra);
          setAsking(null);
        }}
      />
      <BlockStack gap="400">
        {created && (
          <div role="status">
            <Banner tone="success" title="Drop saved">
              Put it on your store below, then start it here or let its schedule start it.
            </Banner>
          </div>
        )}
        {controlError && (
          <Banner tone="critical" title="That did not work">
            {controlError}
          </Banner>
        )}
        {stale && (
          <Banner tone="warning" title="Showing the last numbers we could read">
            {stale} The page keeps trying every few seconds.
          </Banner>
        )}
        {live.reauthorize && (
          <Banner tone="critical" title="Holdfast lost access to your Shopify store">
            {live.reauthorize}
          </Banner>
        )}
        {live.recovery && (
          <Banner tone="warning" title="Stock restarted from orders">
            <span data-recovery-notice>{live.recovery.notice}</span>
          </Banner>
        )}
        {live.oversold.units > 0 && (
          <Banner tone="critical" title={`Oversold: ${live.oversold.units} unit(s) in ${live.oversold.orders} order(s)`}>
            The store sold more than this drop had (orders that skipped the queue, or stock changed on the platform). Each order lists its oversold units;
            decide whether to restock or cancel them.
          </Banner>
        )}
        {live.soldOut && (
          <Banner tone="success" title="Sold out">
            Every unit is sold or held. Shoppers still waiting were told at once.
          </Banner>
        )}

        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Controls
            </Text>
            <InlineStack gap="200" wrap>
              {canStart && (
                <Button variant="primary" onClick={() => run("start")} loading={busy}>
                  Start now
                </Button>
              )}
              {state === "live" && (
                <Button onClick={() => run("pause")} loading={busy}>
                  Pause
                </Button>
              )}
              {state === "paused" && (
                <Button variant="primary" onClick={() => run("resume")} loading={busy}>
                  Resume
                </Button>
              )}
              {live.admission.mode === "off" && state !== "ended" && (
                <Button
                  onClick={() =>
                    ask(
                      "queueEveryone",
                      {
                        title: "Queue everyone?",
                        body: `Every shopper goes through the waiting room from now on, admitted at ${rate} per minute. Shoppers on the product page now are sent to the line.`,
                        confirm: "Queue everyone",
                        destructive: true,
                      },
                      { perMinute: rate },
                    )
                  }
                  loading={busy}
                >
                  Queue everyone
                </Button>
              )}
              {state !== "ended" && (
                <Button
                  tone="critical"
                  onClick={() =>
                    ask("end", {
                      title: `End ${live.name} now?`,
                      body: "Shoppers in line are told the drop has ended and nobody can hold its stock any more. An ended drop cannot be started again.",
                      confirm: "End drop",
                      destructive: true,
                    })
                  }
                  loading={busy}
                >
                  End drop now
                </Button>
              )}
            </InlineStack>
            {state !== "ended" && (
              <InlineStack gap="200" blockAlign="end">
                <Box minWidth="220px">
                  <TextField label="Shoppers admitted per minute" type="text" inputMode="numeric" value={rate} onChange={setRate} autoComplete="off" />
                </Box>
                <Button onClick={() => run("setRate", { perMinute: rate })} loading={busy}>
                  Apply rate
                </Button>
              </InlineStack>
            )}
            <Text as="p" tone="subdued" variant="bodySm">
              Admission: {live.admission.mode === "off" ? "no queue" : live.admission.mode}
              {live.admission.perMinute !== null ? `, ${live.admission.perMinute} per minute` : ""}
              {live.admission.maxActive !== null ? `, at most ${live.admission.maxActive} at once` : ""}.
            </Text>
          </BlockStack>
        </Card>

        {placement && state !== "ended" && <PlacementPanel placement={placement} />}

        <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
          <Metric label="Waiting" value={live.waiting} />
          <Metric label="Admitted per minute" value={live.admittedLastMinute} help={`${live.admittedTotal} admitted in all`} />
          <Metric label="Active holds" value={live.activeHolds} help={`${live.held} units held`} />
          <Metric label="Sold" value={live.sold} help={`of ${live.allocated} allocated`} />
          <Metric label="Remaining" value={live.remaining} />
          <Metric label="Holds expired" value={live.holdsExpired} help="From the saved ledger (up to a few seconds behind)." />
          <Metric label="Bypass orders flagged" value={live.bypassFlagged} help={`${live.bypassOrders} order(s) skipped the queue`} />
          <Metric label="Units oversold" value={live.oversold.units} help={`${live.oversold.orders} order(s) took more than the drop had`} />
          <Metric
            label="Stock write-back lag"
            value={live.writeBack ? `${live.writeBack.lagSeconds} s` : "No store"}
            help={
              live.writeBack
                ? `${live.writeBack.refused > 0 ? `${live.writeBack.refused} item(s) refused by the platform: fix them there. ` : ""}Circuit breaker: ${live.writeBack.breaker ?? "not available (the worker runs in another process)"}.`
                : "This drop has no platform store, so there is no stock to write back."
            }
          />
        </InlineGrid>

        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Sold and waiting over time
            </Text>
            <SalesChart samples={live.series} />
          </BlockStack>
        </Card>
        <Text as="p" tone="subdued" variant="bodySm">
          Updated {new Date(live.at).toISOString().slice(11, 19)} UTC.
        </Text>
      </BlockStack>
    </Page>
  );
}

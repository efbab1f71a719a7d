import { BlockStack, Box, Button, Card, InlineStack, List, Text } from "@shopify/polaris";
import { useState } from "react";

/** How shoppers meet the drop's waiting room, by the store's platform (computed by drops/placement.server.ts). */
export type PlacementView =
  { kind: "shopify"; shop: string; appEmbedUrl: string | null } | { kind: "woocommerce"; domain: string } | { kind: "snippet"; snippet: string };

/** "Put it on your store": the one step that makes the waiting room appear where shoppers buy. */
export function PlacementPanel({ placement }: { placement: PlacementView }) {
  const [copied, setCopied] = useState(false);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Put it on your store
        </Text>
        {placement.kind === "shopify" && (
          <>
            <List type="number">
              <List.Item>Turn on Holdfast's waiting room in your theme's App embeds (once per theme), then Save.</List.Item>
              <List.Item>Nothing else: this drop reaches your storefront by itself, and its products' Buy buttons open the waiting room.</List.Item>
            </List>
            {placement.appEmbedUrl ? (
              <InlineStack>
                {/* The theme editor is an admin page: open it in the admin's top frame. */}
                <Button variant="primary" url={placement.appEmbedUrl} target="_top">
                  Turn on the app embed
                </Button>
              </InlineStack>
            ) : (
              <Text as="p" tone="subdued">
                In {placement.shop}: Online Store &gt; Themes &gt; Customize &gt; App embeds.
              </Text>
            )}
          </>
        )}
        {placement.kind === "woocommerce" && (
          <Text as="p">
            The Holdfast plugin on {placement.domain} shows the waiting room on this drop's products by itself once it is connected (WooCommerce &gt; Settings
            &gt; Holdfast). Each product's reference must be its WooCommerce product id.
          </Text>
        )}
        {placement.kind === "snippet" && (
          <>
            <Text as="p">
              Paste this into your product page, before <code>&lt;/body&gt;</code>. The widget catches your add-to-cart forms for the listed product ids, and
              any button with <code>data-holdfast-item=&quot;&lt;item id&gt;&quot;</code>. Add your storefront's origin to <code>HOLDFAST_ALLOWED_ORIGINS</code>
              .
            </Text>
            <Box background="bg-surface-secondary" padding="300" borderRadius="200">
              <pre aria-label="Widget snippet" style={{ margin: 0, whiteSpace: "pre-wrap", wordBreak: "break-all", fontSize: 12 }}>
                {placement.snippet}
              </pre>
            </Box>
            <InlineStack gap="200" blockAlign="center">
              <Button
                onClick={() => {
                  void navigator.clipboard?.writeText(placement.snippet).then(() => setCopied(true));
                }}
              >
                Copy snippet
              </Button>
              <span role="status">
                {copied && (
                  <Text as="span" tone="success">
                    Copied
                  </Text>
                )}
              </span>
            </InlineStack>
          </>
        )}
      </BlockStack>
    </Card>
  );
}

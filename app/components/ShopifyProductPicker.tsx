import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Checkbox, InlineStack, Spinner, Text, TextField } from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";

import type { DropFormItem } from "./dropForm.ts";

interface ProductHit {
  id: string;
  title: string;
  variants: { id: string; title: string; sku: string | null; inventoryQuantity: number | null }[];
}

type CatalogAnswer = { products: ProductHit[] } | { items: DropFormItem[] } | { error: { code: string; message: string } };

interface PickerSelection {
  id: string;
  variants?: { id?: string }[];
}

interface ResourcePickerGlobal {
  resourcePicker?: (options: { type: "product"; multiple: boolean; action: "add"; filter: { variants: boolean } }) => Promise<PickerSelection[] | undefined>;
}

/**
 * Products for a drop: App Bridge's resource picker inside the Shopify admin, or, when App
 * Bridge is not there (its script did not load), a search over the Admin API. Either way the
 * chosen variants are looked up on the server for their stock (catalogUrl?variants=...).
 */
export function ShopifyProductPicker({ catalogUrl, add }: { catalogUrl: string; add: (items: DropFormItem[]) => void }) {
  const search = useFetcher<CatalogAnswer>();
  const lookup = useFetcher<CatalogAnswer>();
  const [appBridge, setAppBridge] = useState<ResourcePickerGlobal | null>(null);
  const [term, setTerm] = useState("");
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const handled = useRef<unknown>(null);

  // Only in the browser, after hydration, so server and client render the same first.
  useEffect(() => {
    const global = (window as unknown as { shopify?: ResourcePickerGlobal }).shopify;
    if (typeof global?.resourcePicker === "function") setAppBridge(global);
  }, []);

  useEffect(() => {
    if (lookup.state !== "idle" || !lookup.data || handled.current === lookup.data) return;
    handled.current = lookup.data;
    if ("items" in lookup.data) {
      add(lookup.data.items);
      setChosen(new Set());
    }
  }, [lookup.state, lookup.data, add]);

  const lookUp = (variantIds: string[]) => {
    if (variantIds.length > 0) lookup.load(`${catalogUrl}?variants=${encodeURIComponent(variantIds.join(","))}`);
  };
  const openPicker = async () => {
    const selection = await appBridge?.resourcePicker?.({ type: "product", multiple: true, action: "add", filter: { variants: true } });
    if (selection) lookUp(selection.flatMap((product) => (product.variants ?? []).flatMap((variant) => (variant.id ? [variant.id] : []))));
  };
  const runSearch = () => search.load(`${catalogUrl}?q=${encodeURIComponent(term)}`);
  const error = [search.data, lookup.data].find((answer): answer is { error: { code: string; message: string } } => !!answer && "error" in answer);
  const products = search.data && "products" in search.data ? search.data.products : null;

  return (
    <BlockStack gap="300">
      {error && (
        <Banner tone="critical" title="Products could not be loaded">
          {error.error.message}
        </Banner>
      )}
      {appBridge ? (
        <InlineStack gap="200" blockAlign="center">
          <Button onClick={() => void openPicker()} loading={lookup.state !== "idle"}>
            Pick products
          </Button>
        </InlineStack>
      ) : (
        <BlockStack gap="200">
          {/* Not a <form>: the picker sits inside the drop's form, and forms cannot nest. */}
          <div
            role="search"
            aria-label="Product search"
            onKeyDown={(event) => {
              if (event.key !== "Enter") return;
              event.preventDefault();
              runSearch();
            }}
          >
            <InlineStack gap="200" blockAlign="end">
              <div style={{ flexGrow: 1 }}>
                <TextField label="Search products" value={term} onChange={setTerm} autoComplete="off" placeholder="Title, e.g. sneaker" />
              </div>
              <Button onClick={runSearch} loading={search.state !== "idle"}>
                Search
              </Button>
            </InlineStack>
          </div>
          {search.state !== "idle" && <Spinner size="small" accessibilityLabel="Searching products" />}
          {products && products.length === 0 && (
            <Text as="p" tone="subdued">
              No products match. Try a shorter word, or create the product in Shopify first.
            </Text>
          )}
          {products && products.length > 0 && (
            <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
              <legend>
                <Text as="span" variant="headingSm">
                  Choose variants
                </Text>
              </legend>
              <BlockStack gap="100">
                {products.flatMap((product) =>
                  product.variants.map((variant) => (
                    <Checkbox
                      key={variant.id}
                      label={`${product.title}${variant.title === "Default Title" ? "" : ` - ${variant.title}`} (${variant.inventoryQuantity ?? "?"} in stock)`}
                      checked={chosen.has(variant.id)}
                      onChange={(checked) =>
                        setChosen((current) => {
                          const next = new Set(current);
                          if (checked) next.add(variant.id);
                          else next.delete(variant.id);
                          return next;
                        })
                      }
                    />
                  )),
                )}
              </BlockStack>
            </fieldset>
          )}
          {products && products.length > 0 && (
            <InlineStack>
              <Button onClick={() => lookUp([...chosen])} disabled={chosen.size === 0} loading={lookup.state !== "idle"}>
                {`Add ${chosen.size} selected`}
              </Button>
            </InlineStack>
          )}
        </BlockStack>
      )}
    </BlockStack>
  );
}

import { useNavigation, useSubmit } from "@remix-run/react";
import { SaveBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Button, Card, Checkbox, FormLayout, InlineStack, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState, type ReactNode } from "react";

import { ADMISSION_MODES, BYPASS_POLICIES, FAIL_POLICIES, FIELD_LABELS, type DropFormItem, type DropFormValues, type FormProblem } from "./dropForm.ts";
import { StateBadge } from "./StateBadge.tsx";
import { timeZoneNames } from "./zonedTime.ts";

export interface DropEditorProps {
  title: string;
  /** "/app" or "/console". */
  base: string;
  initial: DropFormValues;
  problem: FormProblem | null;
  /** "shopify": products come from the picker, the time zone is the shop's. "manual": every field is typed (console). */
  mode: "shopify" | "manual";
  saleId?: string;
  state?: string;
  /** Renders the product picker; it calls `add` with the rows to append. */
  picker?: (add: (items: DropFormItem[]) => void) => ReactNode;
  /** Shown above the form (e.g. "Saved"). */
  notice?: ReactNode;
  /** The last save succeeded: the embedded admin says so with App Bridge's toast. */
  saved?: boolean;
}

const SAVE_BAR_ID = "drop-save-bar";

/** App Bridge's global, when its script has loaded (inside the Shopify admin). */
function appBridge(): { toast?: { show(message: string): void } } | undefined {
  return (globalThis as { shopify?: { toast?: { show(message: string): void } } }).shopify;
}

/** Once shoppers may queue (pre-queue, live, paused), the start and the item list's identity are fixed (core rule). */
const STARTED = new Set(["prequeue", "live", "paused"]);

export function DropEditor({ title, base, initial, problem, mode, saleId, state, picker, notice, saved }: DropEditorProps) {
  const [values, setValues] = useState<DropFormValues>(initial);
  // The zone list is the browser's, filled in after hydration so server and browser render the same first page.
  const [zones, setZones] = useState<readonly string[]>([]);
  useEffect(() => setZones(timeZoneNames()), []);
  const submit = useSubmit();
  const navigation = useNavigation();
  const saving = navigation.state === "submitting";
  const started = state !== undefined && STARTED.has(state);
  const ended = state === "ended";
  const fieldError = (name: string) => problem?.fields[name];
  const set =
    <K extends keyof DropFormValues>(key: K) =>
    (value: DropFormValues[K]) =>
      setValues((current) => ({ ...current, [key]: value }));
  const setItem = (index: number, patch: Partial<DropFormItem>) =>
    setValues((current) => ({ ...current, items: current.items.map((item, at) => (at === index ? { ...item, ...patch } : item)) }));
  const removeItem = (index: number) => setValues((current) => ({ ...current, items: current.items.filter((_, at) => at !== index) }));
  const addItems = (items: DropFormItem[]) =>
    setValues((current) => ({
      ...current,
      // The same stock unit twice would be two allocations of one shelf.
      items: [
        ...current.items,
        ...items.filter((item) => item.platformRef === "" || !current.items.some((existing) => existing.platformRef === item.platformRef)),
      ],
    }));
  const save = () => submit(JSON.parse(JSON.stringify(values)) as Record<string, string>, { method: "post", encType: "application/json" });
  // Inside the Shopify admin, unsaved changes raise App Bridge's contextual save bar (and its leave-page guard).
  const dirty = JSON.stringify(values) !== JSON.stringify(initial);
  // Only once App Bridge has defined its element: without its script (blocked, offline) the page still works, without the bar.
  const [saveBarReady, setSaveBarReady] = useState(false);
  useEffect(() => setSaveBarReady(mode === "shopify" && customElements.get("ui-save-bar") !== undefined), [mode]);
  useEffect(() => {
    if (saved && mode === "shopify") appBridge()?.toast?.show("Drop saved");
  }, [saved, mode]);
  const rate = values.admissionMode === "rate" || values.admissionMode === "rate+capacity";
  const capacity = values.admissionMode === "capacity" || values.admissionMode === "rate+capacity";

  return (
    <Page
      title={title}
      titleMetadata={state ? <StateBadge state={state} /> : undefined}
      backAction={{ content: "Drops", url: base }}
      primaryAction={{ content: saving ? "Saving…" : "Save drop", onAction: save, loading: saving, disabled: ended }}
      secondaryActions={
        saleId
          ? [
              { content: "Live dashboard", url: `${base}/drops/${saleId}/live` },
              ...(mode === "shopify" ? [{ content: "Readiness checklist", url: `${base}/drops/${saleId}/readiness` }] : []),
            ]
          : []
      }
    >
      {saveBarReady && (
        <SaveBar id={SAVE_BAR_ID} open={dirty && !ended} discardConfirmation>
          <button variant="primary" onClick={save} loading={saving ? "" : undefined} disabled={saving}>
            Save drop
          </button>
          <button onClick={() => setValues(initial)} disabled={saving}>
            Discard
          </button>
        </SaveBar>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save();
        }}
        aria-label={title}
      >
        <BlockStack gap="400">
          {notice}
          {problem && (
            <Banner tone="critical" title="The drop was not saved">
              <p>{problem.message}</p>
              {Object.keys(problem.fields).length > 0 && (
                <ul>
                  {Object.entries(problem.fields).map(([field, message]) => (
                    <li key={field}>{message}</li>
                  ))}
                </ul>
              )}
            </Banner>
          )}
          {ended && (
            <Banner tone="info" title="This drop has ended">
              An ended drop cannot be changed; create a new drop for the next release.
            </Banner>
          )}
          {started && (
            <Banner tone="warning" title="This drop is under way">
              The start, the pre-queue and the products' stock links are fixed now. You can still change the name, the end, allocations, hold minutes, the limit
              per customer and admission.
            </Banner>
          )}

          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Drop
              </Text>
              <TextField
                label={FIELD_LABELS.name}
                value={values.name}
                onChange={set("name")}
                autoComplete="off"
                error={fieldError("name")}
                helpText="Shown to you only, e.g. “Winter sneaker drop”."
              />
            </BlockStack>
          </Card>

          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Products
              </Text>
              {fieldError("items") && (
                <Text as="p" tone="critical">
                  {fieldError("items")}
                </Text>
              )}
              {values.items.length === 0 && (
                <Text as="p" tone="subdued">
                  No products yet.{" "}
                  {mode === "shopify" ? "Pick the variants this drop sells; each starts with its current available stock." : "Add the items this drop sells."}
                </Text>
              )}
              {values.items.map((item, index) => (
                <Card key={item.id ?? `new-${index}`} background="bg-surface-secondary">
                  <BlockStack gap="200">
                    <FormLayout>
                      <FormLayout.Group>
                        <TextField
                          label={`Product ${index + 1} title`}
                          value={item.title}
                          onChange={(value) => setItem(index, { title: value })}
                          autoComplete="off"
                          error={fieldError(`items.${index}.title`)}
                        />
                        <TextField
                          label={`Product ${index + 1} units allocated`}
                          type="text"
                          inputMode="numeric"
                          value={item.allocation}
                          onChange={(value) => setItem(index, { allocation: value })}
                          autoComplete="off"
                          error={fieldError(`items.${index}.allocation`)}
                        />
                      </FormLayout.Group>
                      {mode === "manual" && (
                        <TextField
                          label={`Product ${index + 1} price`}
                          type="text"
                          inputMode="decimal"
                          value={item.price ?? ""}
                          onChange={(value) => setItem(index, { price: value })}
                          autoComplete="off"
                          placeholder="19.99"
                          helpText="Per unit, in the currency below; what the store's own checkout charges. Empty for no price."
                          error={fieldError(`items.${index}.price`)}
                        />
                      )}
                      {mode === "manual" ? (
                        <TextField
                          label={`Product ${index + 1} platform reference`}
                          value={item.platformRef}
                          onChange={(value) => setItem(index, { platformRef: value })}
                          autoComplete="off"
                          disabled={started && item.id !== undefined}
                          helpText="The store's product or variant id (WooCommerce: the product id); empty for a demo item."
                          error={fieldError(`items.${index}.platformRef`)}
                        />
                      ) : (
                        <Text as="p" tone="subdued" variant="bodySm">
                          {item.note ?? (item.platformRef ? `Stock: ${item.platformRef}` : "Not linked to Shopify stock")}
                        </Text>
                      )}
                    </FormLayout>
                    {!(started && item.id !== undefined) && (
                      <InlineStack align="end">
                        <Button
                          tone="critical"
                          variant="plain"
                          onClick={() => removeItem(index)}
                          accessibilityLabel={`Remove product ${index + 1} (${item.title || "untitled"})`}
                        >
                          Remove
                        </Button>
                      </InlineStack>
                    )}
                  </BlockStack>
                </Card>
              ))}
              {mode === "manual" && (
                <TextField
                  label={FIELD_LABELS.currency}
                  value={values.currency ?? ""}
                  onChange={set("currency")}
                  autoComplete="off"
                  placeholder="EUR"
                  maxLength={3}
                  helpText="The three-letter code (ISO 4217) of every product's price, e.g. EUR, USD, JPY."
                  error={fieldError("currency")}
                />
              )}
              {!ended &&
                (mode === "manual" ? (
                  <Button onClick={() => addItems([{ title: "", allocation: "0", platformRef: "", price: "" }])}>Add product</Button>
                ) : (
                  picker?.(addItems)
                ))}
            </BlockStack>
          </Card>

          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Schedule
              </Text>
              <FormLayout>
                {mode === "manual" ? (
                  <Select
                    label={FIELD_LABELS.timeZone}
                    options={zones.includes(values.timeZone) ? [...zones] : [values.timeZone, ...zones]}
                    value={values.timeZone}
                    onChange={set("timeZone")}
                    helpText="The start and end below are in this zone."
                    error={fieldError("timeZone")}
                  />
                ) : (
                  <Text as="p" tone="subdued">
                    Times are in the shop's time zone, {values.timeZone}.
                  </Text>
                )}
                <FormLayout.Group>
                  <TextField
                    label={FIELD_LABELS.startsAt}
                    type="datetime-local"
                    value={values.startsAt}
                    onChange={set("startsAt")}
                    autoComplete="off"
                    disabled={started}
                    helpText="Leave empty to start by hand from the live dashboard."
                    error={fieldError("startsAt")}
                  />
                  <TextField
                    label={FIELD_LABELS.endsAt}
                    type="datetime-local"
                    value={values.endsAt}
                    onChange={set("endsAt")}
                    autoComplete="off"
                    helpText="Optional."
                    error={fieldError("endsAt")}
                  />
                </FormLayout.Group>
                <TextField
                  label={FIELD_LABELS.prequeueMinutes}
                  type="text"
                  inputMode="numeric"
                  value={values.prequeueMinutes}
                  onChange={set("prequeueMinutes")}
                  autoComplete="off"
                  disabled={started}
                  helpText="Shoppers who arrive in this window are shuffled into a fair random order at the start. Empty: no pre-queue."
                  error={fieldError("prequeueMinutes")}
                />
              </FormLayout>
            </BlockStack>
          </Card>

          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Shoppers
              </Text>
              <FormLayout>
                <FormLayout.Group>
                  <TextField
                    label={FIELD_LABELS.holdMinutes}
                    type="text"
                    inputMode="numeric"
                    value={values.holdMinutes}
                    onChange={set("holdMinutes")}
                    autoComplete="off"
                    helpText="How long a shopper's units stay reserved for checkout."
                    error={fieldError("holdMinutes")}
                  />
                  <TextField
                    label={FIELD_LABELS.perCustomerLimit}
                    type="text"
                    inputMode="numeric"
                    value={values.perCustomerLimit}
                    onChange={set("perCustomerLimit")}
                    autoComplete="off"
                    helpText="Units one customer may buy across the drop; 0 for no limit."
                    error={fieldError("perCustomerLimit")}
                  />
                </FormLayout.Group>
                <Select
                  label={FIELD_LABELS.admissionMode}
                  options={ADMISSION_MODES.map((mode) => ({ label: mode.label, value: mode.value }))}
                  value={values.admissionMode}
                  onChange={(value) => set("admissionMode")(value as DropFormValues["admissionMode"])}
                  helpText={ADMISSION_MODES.find((entry) => entry.value === values.admissionMode)?.help}
                  error={fieldError("admissionMode")}
                />
                <FormLayout.Group>
                  {rate && (
                    <TextField
                      label={FIELD_LABELS.perMinute}
                      type="text"
                      inputMode="numeric"
                      value={values.perMinute}
                      onChange={set("perMinute")}
                      autoComplete="off"
                      error={fieldError("perMinute")}
                    />
                  )}
                  {capacity && (
                    <TextField
                      label={FIELD_LABELS.maxActive}
                      type="text"
                      inputMode="numeric"
                      value={values.maxActive}
                      onChange={set("maxActive")}
                      autoComplete="off"
                      error={fieldError("maxActive")}
                    />
                  )}
                </FormLayout.Group>
                <Select
                  label={FIELD_LABELS.bypassPolicy}
                  options={BYPASS_POLICIES.map((policy) => ({ label: policy.label, value: policy.value }))}
                  value={values.bypassPolicy}
                  onChange={(value) => set("bypassPolicy")(value as DropFormValues["bypassPolicy"])}
                  helpText="What Holdfast does with an order for the drop's products placed without a hold (a shopper who skipped the waiting room)."
                />
                <Select
                  label={FIELD_LABELS.failPolicy}
                  options={FAIL_POLICIES.map((policy) => ({ label: policy.label, value: policy.value }))}
                  value={values.failPolicy}
                  onChange={(value) => set("failPolicy")(value as DropFormValues["failPolicy"])}
                  helpText="What the waiting room and the checkout gate do when Holdfast is down: make shoppers wait, or let them buy without a hold."
                />
                <Checkbox
                  label={FIELD_LABELS.holdsThroughStoreOnly}
                  checked={values.holdsThroughStoreOnly}
                  onChange={(checked) => set("holdsThroughStoreOnly")(checked)}
                  error={fieldError("holdsThroughStoreOnly")}
                  helpText="Shopify stores with a limit per customer: holds come only through your store's pages, where Shopify tells Holdfast who the customer is, so one customer cannot take more than the limit from several browsers. Holds sent to Holdfast's API directly are refused."
                />
              </FormLayout>
            </BlockStack>
          </Card>

          <InlineStack align="end">
            <Button variant="primary" submit loading={saving} disabled={ended}>
              Save drop
            </Button>
          </InlineStack>
        </BlockStack>
      </form>
    </Page>
  );
}

export function SavedBanner() {
  return (
    <div role="status">
      <Banner tone="success" title="Saved">
        The drop's settings are saved and in effect.
      </Banner>
    </div>
  );
}

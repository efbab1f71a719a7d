/**
 * The create/edit form of a drop as the browser holds it: every field a string, as inputs
 * give them. The server turns it into the core's NewSaleInput / SalePatch (app/drops/form.server.ts);
 * the rules (ranges, schedule order, required rates) are the core's, not repeated here.
 */

export type AdmissionModeValue = "off" | "rate" | "capacity" | "rate+capacity";
export type BypassPolicyValue = "allow" | "flag" | "cancel";
export type FailPolicyValue = "auto" | "open" | "closed";

export interface DropFormItem {
  /** Set for an item the drop has already. */
  id?: string;
  title: string;
  allocation: string;
  /** Shopify: "gid://shopify/InventoryItem/1@gid://shopify/Location/2"; free text in the console. */
  platformRef: string;
  /** Per unit, a decimal in the drop's currency ("19.99"); "" or absent for none (console only: Shopify prices its own checkout). */
  price?: string;
  /** What the picker found (variant, location, stock), shown next to the row. */
  note?: string;
}

export interface DropFormValues {
  name: string;
  timeZone: string;
  /** "YYYY-MM-DDTHH:mm" in timeZone, or "" for none. */
  startsAt: string;
  endsAt: string;
  /** Minutes before the start that the pre-queue opens; "" for no pre-queue. */
  prequeueMinutes: string;
  holdMinutes: string;
  perCustomerLimit: string;
  admissionMode: AdmissionModeValue;
  perMinute: string;
  maxActive: string;
  bypassPolicy: BypassPolicyValue;
  failPolicy: FailPolicyValue;
  /** Shopify only: holds only through the store (app proxy), so the per-customer limit counts verified customers. */
  holdsThroughStoreOnly: boolean;
  /** ISO 4217 code of every product's price ("EUR"); "" or absent while no product has one. */
  currency?: string;
  items: DropFormItem[];
}

/** A field the server found wrong -> what to tell the merchant. Keys are form field names ("items.0.allocation"). */
export type FieldErrors = Record<string, string>;

export interface FormProblem {
  /** Shown above the form: what went wrong and what to do. */
  message: string;
  code: string;
  fields: FieldErrors;
}

export const ADMISSION_MODES: { value: AdmissionModeValue; label: string; help: string }[] = [
  { value: "off", label: "No queue (everyone shops at once)", help: "Shoppers go straight to the product; holds still stop overselling." },
  { value: "rate", label: "Admit a number of shoppers per minute", help: "Shoppers wait in line and are let in at the rate you set." },
  { value: "capacity", label: "Keep a maximum number shopping at once", help: "One in, one out: a place frees up when a shopper buys or their pass lapses." },
  { value: "rate+capacity", label: "Per minute, up to a maximum at once", help: "Both limits apply." },
];

export const BYPASS_POLICIES: { value: BypassPolicyValue; label: string }[] = [
  { value: "flag", label: "Flag the order for me to review" },
  { value: "cancel", label: "Cancel and refund the order" },
  { value: "allow", label: "Allow it (count the units as sold)" },
];

export const FAIL_POLICIES: { value: FailPolicyValue; label: string }[] = [
  { value: "auto", label: "Wait while the drop runs, sell normally before it (recommended)" },
  { value: "closed", label: "Always wait: never sell the drop's products without Holdfast" },
  { value: "open", label: "Sell normally: let shoppers buy without the waiting room" },
];

export function emptyDropForm(timeZone: string): DropFormValues {
  return {
    name: "",
    timeZone,
    startsAt: "",
    endsAt: "",
    prequeueMinutes: "15",
    holdMinutes: "10",
    perCustomerLimit: "2",
    admissionMode: "rate",
    perMinute: "600",
    maxActive: "",
    bypassPolicy: "flag",
    failPolicy: "auto",
    holdsThroughStoreOnly: false,
    items: [],
  };
}

/** Form field -> the label merchants see, also used to reword the core's messages. */
export const FIELD_LABELS: Record<string, string> = {
  name: "Drop name",
  timeZone: "Time zone",
  startsAt: "Start",
  endsAt: "End",
  prequeueMinutes: "Pre-queue opens (minutes before the start)",
  holdMinutes: "Hold minutes",
  perCustomerLimit: "Limit per customer",
  admissionMode: "Admission",
  perMinute: "Shoppers admitted per minute",
  maxActive: "Shoppers shopping at once",
  bypassPolicy: "Orders that skip the queue",
  failPolicy: "If Holdfast cannot be reached",
  holdsThroughStoreOnly: "Take holds only through the Shopify store",
  currency: "Currency of the prices",
  items: "Products",
};

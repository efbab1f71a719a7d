import { z } from "zod";

import { FieldErrorCollector, InvalidInputError, type FieldProblem } from "../core/errors/InvalidInputError.ts";
import { BYPASS_POLICIES, type BypassPolicy } from "../core/orders/index.ts";
import type { NewSaleInput, SaleDetails, SalePatch } from "../core/sales/index.ts";
import { FIELD_LABELS, type DropFormItem, type DropFormValues, type FieldErrors, type FormProblem } from "../components/dropForm.ts";
import { priceInputOf, type PriceInput } from "../core/money.ts";
import { fromZonedInput, isListedTimeZone, toZonedInput } from "../components/zonedTime.ts";
import { problemOf } from "../core/errors/problem.ts";
import { PageError } from "./errors.server.ts";

// Shapes only: every value is a string as the inputs hold it. The rules are the core's.
const formSchema = z.strictObject({
  name: z.string().max(1_000),
  timeZone: z.string().max(100),
  startsAt: z.string().max(40),
  endsAt: z.string().max(40),
  prequeueMinutes: z.string().max(40),
  holdMinutes: z.string().max(40),
  perCustomerLimit: z.string().max(40),
  admissionMode: z.enum(["off", "rate", "capacity", "rate+capacity"]),
  perMinute: z.string().max(40),
  maxActive: z.string().max(40),
  bypassPolicy: z.enum(BYPASS_POLICIES as [BypassPolicy, ...BypassPolicy[]]),
  failPolicy: z.enum(["auto", "open", "closed"]),
  // Absent from a form that predates the setting: off.
  holdsThroughStoreOnly: z.boolean().default(false),
  currency: z.string().max(20).default(""),
  items: z
    .array(
      z.strictObject({
        id: z.string().max(100).optional(),
        title: z.string().max(1_000),
        allocation: z.string().max(40),
        platformRef: z.string().max(1_000),
        price: z.string().max(40).default(""),
        note: z.string().max(1_000).optional(),
      }),
    )
    .max(1_000),
});

/** A form value that is not even the right kind of thing (a word where minutes go); `path` is the form field's name. */
export class FormInputError extends InvalidInputError {
  constructor(code: string, path: string, message: string) {
    super(code, message, [{ path, code, message }]);
  }
}

/** The request body as form values; anything else is a 400 with the reason. */
export async function readDropForm(request: Request): Promise<DropFormValues> {
  // The editor posts JSON; anything else (text/plain is what a no-cors page can send) is refused unread.
  if (!/^application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "")) {
    throw new PageError(415, "unsupported_media_type", "The form must be sent as JSON, as the drop editor does; reload the page and try again.");
  }
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new InvalidInputError("invalid_form", "The form could not be read (expected JSON); reload the page and try again.");
  }
  const parsed = formSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError(
      "invalid_form",
      `The form is malformed at ${issue?.path.join(".") || "its root"}: ${issue?.message ?? "unexpected value"}. Reload the page and try again.`,
    );
  }
  return parsed.data;
}

/**
 * "" -> absent; digits (with a sign) -> a number; anything else is recorded in `errors`,
 * naming the field, and read as NaN (nothing is saved while `errors` holds a problem).
 */
function whole(errors: FieldErrorCollector, field: string, value: string): number | undefined {
  const text = value.trim();
  if (text === "") return undefined;
  if (!/^-?\d{1,15}$/.test(text)) {
    errors.add("invalid_number", field, `${FIELD_LABELS[field] ?? labelOfItemField(field)}: enter a whole number (you entered "${text.slice(0, 20)}").`);
    return Number.NaN;
  }
  return Number(text);
}

/** "items.2.allocation" -> "Product 3 units allocated", as the form labels it. */
function labelOfItemField(field: string): string {
  const match = /^items\.(\d+)\.(\w+)$/.exec(field);
  if (!match) return field;
  const words: Record<string, string> = { title: "title", allocation: "units allocated", platformRef: "platform reference", price: "price" };
  return `Product ${Number(match[1]) + 1} ${words[match[2] ?? ""] ?? match[2]}`;
}

/** A product's price in the drop's currency, for the core to check; "" is no price. */
function priceOf(values: DropFormValues, item: DropFormItem): PriceInput | null {
  const amount = (item.price ?? "").trim();
  return amount === "" ? null : { amount, currency: (values.currency ?? "").trim().toUpperCase() };
}

/** A required number: absent becomes NaN, so the core's range check names the field. */
const required = (errors: FieldErrorCollector, field: string, value: string) => whole(errors, field, value) ?? Number.NaN;

function instant(errors: FieldErrorCollector, field: "startsAt" | "endsAt", value: string, timeZone: string): number | null {
  if (value.trim() === "") return null;
  const parsed = fromZonedInput(value, timeZone);
  if (parsed.ok) return parsed.utcMs;
  const label = FIELD_LABELS[field] ?? field;
  errors.add(
    "invalid_schedule",
    field,
    parsed.reason === "gap"
      ? `${label}: ${value} does not exist in ${timeZone} (the clocks skip it); pick a time an hour later.`
      : `${label}: enter a date and time like 2026-12-01T18:00.`,
  );
  return null;
}

/** The picker's zone, checked against the same list the picker offers (the browser's list may differ; the server's decides). */
function zoneOf(errors: FieldErrorCollector, values: DropFormValues): string {
  if (isListedTimeZone(values.timeZone)) return values.timeZone;
  errors.add(
    "invalid_time_zone",
    "timeZone",
    `Time zone: "${values.timeZone.slice(0, 60)}" is not in the list; pick a zone such as Europe/Berlin or America/New_York.`,
  );
  return "UTC";
}

function scheduleOf(errors: FieldErrorCollector, values: DropFormValues) {
  const timeZone = zoneOf(errors, values);
  const startsAt = instant(errors, "startsAt", values.startsAt, timeZone);
  const endsAt = instant(errors, "endsAt", values.endsAt, timeZone);
  const prequeueMinutes = whole(errors, "prequeueMinutes", values.prequeueMinutes);
  // No start, no pre-queue: leaving the window filled in on an unscheduled drop is not a mistake.
  const prequeueAt = prequeueMinutes === undefined || startsAt === null ? null : startsAt - prequeueMinutes * 60_000;
  return { prequeueAt, startsAt, endsAt };
}

function admissionOf(errors: FieldErrorCollector, values: DropFormValues) {
  const rate = values.admissionMode === "rate" || values.admissionMode === "rate+capacity";
  const capacity = values.admissionMode === "capacity" || values.admissionMode === "rate+capacity";
  // Values of the other mode are kept in the inputs but not sent, so switching modes back and forth loses nothing.
  return {
    mode: values.admissionMode,
    perMinute: rate ? (whole(errors, "perMinute", values.perMinute) ?? null) : null,
    maxActive: capacity ? (whole(errors, "maxActive", values.maxActive) ?? null) : null,
  };
}

/** The core's input for a new drop; values the form cannot even read are recorded in `errors`. */
export function newDropInput(errors: FieldErrorCollector, values: DropFormValues, storeId: string | null): NewSaleInput {
  return {
    name: values.name,
    storeId,
    schedule: scheduleOf(errors, values),
    holdMinutes: required(errors, "holdMinutes", values.holdMinutes),
    perCustomerLimit: required(errors, "perCustomerLimit", values.perCustomerLimit),
    admission: admissionOf(errors, values),
    bypassPolicy: values.bypassPolicy,
    failPolicy: values.failPolicy,
    holdsThroughStoreOnly: values.holdsThroughStoreOnly,
    items: values.items.map((item, index) => ({
      title: item.title,
      allocation: required(errors, `items.${index}.allocation`, item.allocation),
      platformRef: item.platformRef.trim() === "" ? null : item.platformRef,
      price: priceOf(values, item),
    })),
  };
}

/** The form as the drop is now: allocations are Redis's once the drop is set up. */
export function dropToForm(details: SaleDetails, timeZone: string): DropFormValues {
  const { sale } = details;
  const local = (ms: number | null) => (ms === null ? "" : toZonedInput(ms, timeZone));
  const { prequeueAt, startsAt } = sale.schedule;
  return {
    name: sale.name,
    timeZone,
    startsAt: local(startsAt),
    endsAt: local(sale.schedule.endsAt),
    prequeueMinutes: prequeueAt !== null && startsAt !== null ? String(Math.round((startsAt - prequeueAt) / 60_000)) : "",
    holdMinutes: String(sale.holdMinutes),
    perCustomerLimit: String(sale.perCustomerLimit),
    admissionMode: sale.admission.mode,
    perMinute: sale.admission.perMinute === null ? "" : String(sale.admission.perMinute),
    maxActive: sale.admission.maxActive === null ? "" : String(sale.admission.maxActive),
    bypassPolicy: sale.bypassPolicy,
    failPolicy: sale.failPolicy,
    holdsThroughStoreOnly: sale.holdsThroughStoreOnly,
    // The core keeps a drop's prices in one currency.
    currency: sale.items.find((item) => item.price !== null)?.price?.currency ?? "",
    items: sale.items.map((item) => ({
      id: item.id,
      title: item.title,
      allocation: String(details.counters[item.id]?.allocated ?? item.allocation),
      platformRef: item.platformRef ?? "",
      price: item.price === null ? "" : priceInputOf(item.price).amount,
    })),
  };
}

/**
 * The change the merchant made: only fields whose form value differs from the drop's
 * current one go into the patch. The form shows times to the minute, so re-sending an
 * untouched start would "move" a start set to the second, which a started drop refuses.
 */
export function dropPatch(errors: FieldErrorCollector, values: DropFormValues, current: DropFormValues): SalePatch {
  const patch: SalePatch = {};
  if (values.name !== current.name) patch.name = values.name;
  const scheduleChanged = (["startsAt", "endsAt", "prequeueMinutes", "timeZone"] as const).filter((field) => values[field] !== current[field]);
  if (scheduleChanged.length > 0) {
    const next = scheduleOf(errors, values);
    const schedule: SalePatch["schedule"] = {};
    if (values.startsAt !== current.startsAt || values.timeZone !== current.timeZone) schedule.startsAt = next.startsAt;
    if (values.endsAt !== current.endsAt || values.timeZone !== current.timeZone) schedule.endsAt = next.endsAt;
    if (values.prequeueMinutes !== current.prequeueMinutes || schedule.startsAt !== undefined) schedule.prequeueAt = next.prequeueAt;
    patch.schedule = schedule;
  }
  if (values.holdMinutes !== current.holdMinutes) patch.holdMinutes = required(errors, "holdMinutes", values.holdMinutes);
  if (values.perCustomerLimit !== current.perCustomerLimit) patch.perCustomerLimit = required(errors, "perCustomerLimit", values.perCustomerLimit);
  if (values.admissionMode !== current.admissionMode || values.perMinute !== current.perMinute || values.maxActive !== current.maxActive)
    patch.admission = admissionOf(errors, values);
  const currencyChanged = (values.currency ?? "") !== (current.currency ?? "");
  const comparable = (items: DropFormItem[]) => JSON.stringify(items.map(({ note: _note, price, ...item }) => ({ ...item, price: price ?? "" })));
  const itemsChanged = currencyChanged || comparable(values.items) !== comparable(current.items);
  if (itemsChanged) {
    const known = new Map(current.items.map((item) => [item.id, item]));
    patch.items = values.items.map((item, index) => {
      const before = item.id === undefined ? undefined : known.get(item.id);
      const allocation = required(errors, `items.${index}.allocation`, item.allocation);
      if (!before)
        return {
          ...(item.id === undefined ? {} : { id: item.id }),
          title: item.title,
          allocation,
          platformRef: item.platformRef.trim() === "" ? null : item.platformRef,
          price: priceOf(values, item),
        };
      return {
        id: before.id,
        ...(item.title !== before.title ? { title: item.title } : {}),
        ...(item.allocation !== before.allocation ? { allocation } : {}),
        ...(item.platformRef !== before.platformRef ? { platformRef: item.platformRef.trim() === "" ? null : item.platformRef } : {}),
        ...((item.price ?? "") !== (before.price ?? "") || currencyChanged ? { price: priceOf(values, item) } : {}),
      };
    });
  }
  if (values.bypassPolicy !== current.bypassPolicy) patch.bypassPolicy = values.bypassPolicy;
  if (values.failPolicy !== current.failPolicy) patch.failPolicy = values.failPolicy;
  if (values.holdsThroughStoreOnly !== current.holdsThroughStoreOnly) patch.holdsThroughStoreOnly = values.holdsThroughStoreOnly;
  return patch;
}

// The core names fields as its API does ("schedule.startsAt", "items[2].allocation"); the form by its inputs.
const CORE_FIELDS: [RegExp, (match: RegExpExecArray) => string][] = [
  [/^items\[\d+\]\.price\.currency\b/, () => "currency"],
  [/^items\[(\d+)\]\.(title|allocation|platformRef|price)\b/, (m) => `items.${m[1]}.${m[2]}`],
  [/^items\[(\d+)\]\.id\b/, (m) => `items.${m[1]}.title`],
  [/^schedule\.(startsAt|endsAt)\b/, (m) => m[1] ?? ""],
  [/^schedule\.prequeueAt\b/, () => "prequeueMinutes"],
  [/^admission\.(perMinute|maxActive)\b/, (m) => m[1] ?? ""],
  [/^admission\.(mode|passMinutes)\b/, () => "admissionMode"],
  // The form's own names (its reading of a value) before the bare "items", which would swallow "items.0.allocation".
  [/^(items\.\d+\.(?:title|allocation|platformRef|price))$/, (m) => m[1] ?? ""],
  [
    /^(name|holdMinutes|perCustomerLimit|items|bypassPolicy|failPolicy|timeZone|startsAt|endsAt|prequeueMinutes|perMinute|maxActive|holdsThroughStoreOnly)\b/,
    (m) => m[1] ?? "",
  ],
];

// The core's words -> the form's ("items" are "Products" there).
const CORE_WORDS: [RegExp, string][] = [
  [/^items must list 1-(\d+) items\./, "Products: add at least one product (at most $1)."],
  [/^items\[\d+\]\.price is missing: price every item of a sale, or none\./, "Give this product a price too: price every product of the drop, or none."],
  [
    /^items\[\d+\]\.price\.amount must be a non-negative decimal string with at most the currency's decimals, such as "19\.99"/,
    "the price must be a number with at most the currency's decimals, such as 19.99",
  ],
  [/^items\[\d+\]\.price\.currency must be (\w+), as the sale's other items\./, "Currency: every product of a drop is priced in one currency ($1)."],
  [/^items\[\d+\]\.price\.currency must be an ISO 4217 currency code/, "Currency: enter a three-letter currency code"],
  [/^items\[(\d+)\]\.(\w+)/, "$2"],
  [/^title\b/, "the product's title"],
  [/^allocation\b/, "the units allocated"],
  [/^platformRef\b/, "the platform reference"],
  [/^holdMinutes\b/, "hold minutes"],
  [/^perCustomerLimit\b/, "the limit per customer"],
  [/^holdsThroughStoreOnly needs/, "Taking holds only through the store needs"],
  [/^holdsThroughStoreOnly protects/, "Taking holds only through the store protects"],
  [/^holdsThroughStoreOnly\b/, "taking holds only through the store"],
  [/set perCustomerLimit above 0/, "set a limit per customer above 0"],
  [/^name\b/, "the drop name"],
  [/schedule\.prequeueAt/g, "the pre-queue opening"],
  [/schedule\.startsAt/g, "the start"],
  [/schedule\.endsAt/g, "the end"],
  [/admission\.perMinute/g, "shoppers per minute"],
  [/admission\.maxActive/g, "shoppers at once"],
  [/admission\.mode/g, "admission"],
  [/items\[(\d+)\]\.(\w+)/g, "product $1's $2"],
];

function reword(message: string): string {
  let text = message;
  for (const [pattern, words] of CORE_WORDS) text = text.replace(pattern, words);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The form field a core path (or a message that starts with one) is about, or null. */
function formFieldOf(path: string): string | null {
  for (const [pattern, field] of CORE_FIELDS) {
    const match = pattern.exec(path);
    if (match) return field(match);
  }
  return null;
}

const FIX_BELOW = "Some fields need a fix before the drop can be saved; each is marked below.";

/** What the form shows for a refused save, or null when the error is not the merchant's to fix. */
export function formProblem(error: unknown): FormProblem | null {
  const core = problemOf(error);
  if (core?.kind === "conflict") return { code: core.code, message: core.message, fields: {} };
  if (core?.kind !== "invalid_input") return null;
  const listed: FieldProblem[] = core.fields ?? [{ path: core.field ?? "", code: core.code, message: core.message }];
  const fields: FieldErrors = {};
  const general: string[] = [];
  for (const problem of listed) {
    const field = formFieldOf(problem.path) ?? formFieldOf(problem.message);
    if (field === null) general.push(reword(problem.message));
    // The first problem per field is the one to fix first (the form's own reading comes before the core's rules).
    else fields[field] ??= reword(problem.message);
  }
  const message = general.length > 0 ? general.join(" ") : Object.keys(fields).length > 0 ? FIX_BELOW : reword(core.message);
  return { code: core.code, message, fields };
}

/**
 * A refused save, answered as `{"error":{"code","message","fields"}}` (Holdfast's error shape
 * plus the fields to point at): 400 unreadable form, 409 the drop's state refuses it, 422 a
 * value is wrong.
 */
export function formFailure(error: unknown): { status: number; problem: FormProblem } | null {
  const problem = formProblem(error);
  if (!problem) return null;
  const status = problemOf(error)?.kind === "conflict" ? 409 : problem.code === "invalid_form" ? 400 : 422;
  return { status, problem };
}

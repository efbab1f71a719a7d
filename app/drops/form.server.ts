import { z } from "zod";

import { InvalidInputError } from "../core/errors/InvalidInputError.ts";
import { BYPASS_POLICIES, type BypassPolicy } from "../core/orders/index.ts";
import type { NewSaleInput, SaleDetails, SalePatch } from "../core/sales/index.ts";
import { FIELD_LABELS, type DropFormValues, type FieldErrors, type FormProblem } from "../components/dropForm.ts";
import { fromZonedInput, isTimeZone, toZonedInput } from "../components/zonedTime.ts";
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
  items: z
    .array(
      z.strictObject({
        id: z.string().max(100).optional(),
        title: z.string().max(1_000),
        allocation: z.string().max(40),
        platformRef: z.string().max(1_000),
        note: z.string().max(1_000).optional(),
      }),
    )
    .max(1_000),
});

/** A form value that is not even the right kind of thing (a word where minutes go). */
export class FormInputError extends InvalidInputError {
  constructor(
    code: string,
    readonly field: string,
    message: string,
  ) {
    super(code, message);
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

/** "" -> absent; digits (with a sign) -> a number; anything else is refused here, naming the field. */
function whole(field: string, value: string): number | undefined {
  const text = value.trim();
  if (text === "") return undefined;
  if (!/^-?\d{1,15}$/.test(text))
    throw new FormInputError("invalid_number", field, `${FIELD_LABELS[field] ?? field}: enter a whole number (you entered "${text.slice(0, 20)}").`);
  return Number(text);
}

/** A required number: absent becomes NaN, so the core's range check names the field. */
const required = (field: string, value: string) => whole(field, value) ?? Number.NaN;

function instant(field: "startsAt" | "endsAt", value: string, timeZone: string): number | null {
  if (value.trim() === "") return null;
  const parsed = fromZonedInput(value, timeZone);
  if (parsed.ok) return parsed.utcMs;
  const label = FIELD_LABELS[field] ?? field;
  throw parsed.reason === "gap"
    ? new FormInputError("invalid_schedule", field, `${label}: ${value} does not exist in ${timeZone} (the clocks skip it); pick a time an hour later.`)
    : new FormInputError("invalid_schedule", field, `${label}: enter a date and time like 2026-12-01T18:00.`);
}

function zoneOf(values: DropFormValues): string {
  if (!isTimeZone(values.timeZone))
    throw new FormInputError(
      "invalid_time_zone",
      "timeZone",
      `Time zone: "${values.timeZone}" is not a time zone name such as Europe/Berlin or America/New_York.`,
    );
  return values.timeZone;
}

function scheduleOf(values: DropFormValues) {
  const timeZone = zoneOf(values);
  const startsAt = instant("startsAt", values.startsAt, timeZone);
  const endsAt = instant("endsAt", values.endsAt, timeZone);
  const prequeueMinutes = whole("prequeueMinutes", values.prequeueMinutes);
  // No start, no pre-queue: leaving the window filled in on an unscheduled drop is not a mistake.
  const prequeueAt = prequeueMinutes === undefined || startsAt === null ? null : startsAt - prequeueMinutes * 60_000;
  return { prequeueAt, startsAt, endsAt };
}

function admissionOf(values: DropFormValues) {
  const rate = values.admissionMode === "rate" || values.admissionMode === "rate+capacity";
  const capacity = values.admissionMode === "capacity" || values.admissionMode === "rate+capacity";
  // Values of the other mode are kept in the inputs but not sent, so switching modes back and forth loses nothing.
  return {
    mode: values.admissionMode,
    perMinute: rate ? (whole("perMinute", values.perMinute) ?? null) : null,
    maxActive: capacity ? (whole("maxActive", values.maxActive) ?? null) : null,
  };
}

export function newDropInput(values: DropFormValues, storeId: string | null): NewSaleInput {
  return {
    name: values.name,
    storeId,
    schedule: scheduleOf(values),
    holdMinutes: required("holdMinutes", values.holdMinutes),
    perCustomerLimit: required("perCustomerLimit", values.perCustomerLimit),
    admission: admissionOf(values),
    bypassPolicy: values.bypassPolicy,
    failPolicy: values.failPolicy,
    holdsThroughStoreOnly: values.holdsThroughStoreOnly,
    items: values.items.map((item, index) => ({
      title: item.title,
      allocation: required(`items.${index}.allocation`, item.allocation),
      platformRef: item.platformRef.trim() === "" ? null : item.platformRef,
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
    items: sale.items.map((item) => ({
      id: item.id,
      title: item.title,
      allocation: String(details.counters[item.id]?.allocated ?? item.allocation),
      platformRef: item.platformRef ?? "",
    })),
  };
}

/**
 * The change the merchant made: only fields whose form value differs from the drop's
 * current one go into the patch. The form shows times to the minute, so re-sending an
 * untouched start would "move" a start set to the second, which a started drop refuses.
 */
export function dropPatch(values: DropFormValues, current: DropFormValues): SalePatch {
  const patch: SalePatch = {};
  if (values.name !== current.name) patch.name = values.name;
  const scheduleChanged = (["startsAt", "endsAt", "prequeueMinutes", "timeZone"] as const).filter((field) => values[field] !== current[field]);
  if (scheduleChanged.length > 0) {
    const next = scheduleOf(values);
    const schedule: SalePatch["schedule"] = {};
    if (values.startsAt !== current.startsAt || values.timeZone !== current.timeZone) schedule.startsAt = next.startsAt;
    if (values.endsAt !== current.endsAt || values.timeZone !== current.timeZone) schedule.endsAt = next.endsAt;
    if (values.prequeueMinutes !== current.prequeueMinutes || schedule.startsAt !== undefined) schedule.prequeueAt = next.prequeueAt;
    patch.schedule = schedule;
  }
  if (values.holdMinutes !== current.holdMinutes) patch.holdMinutes = required("holdMinutes", values.holdMinutes);
  if (values.perCustomerLimit !== current.perCustomerLimit) patch.perCustomerLimit = required("perCustomerLimit", values.perCustomerLimit);
  if (values.admissionMode !== current.admissionMode || values.perMinute !== current.perMinute || values.maxActive !== current.maxActive)
    patch.admission = admissionOf(values);
  const itemsChanged =
    JSON.stringify(values.items.map(({ note: _note, ...item }) => item)) !== JSON.stringify(current.items.map(({ note: _note, ...item }) => item));
  if (itemsChanged) {
    const known = new Map(current.items.map((item) => [item.id, item]));
    patch.items = values.items.map((item, index) => {
      const before = item.id === undefined ? undefined : known.get(item.id);
      const allocation = required(`items.${index}.allocation`, item.allocation);
      if (!before)
        return {
          ...(item.id === undefined ? {} : { id: item.id }),
          title: item.title,
          allocation,
          platformRef: item.platformRef.trim() === "" ? null : item.platformRef,
        };
      return {
        id: before.id,
        ...(item.title !== before.title ? { title: item.title } : {}),
        ...(item.allocation !== before.allocation ? { allocation } : {}),
        ...(item.platformRef !== before.platformRef ? { platformRef: item.platformRef.trim() === "" ? null : item.platformRef } : {}),
      };
    });
  }
  if (values.bypassPolicy !== current.bypassPolicy) patch.bypassPolicy = values.bypassPolicy;
  if (values.failPolicy !== current.failPolicy) patch.failPolicy = values.failPolicy;
  if (values.holdsThroughStoreOnly !== current.holdsThroughStoreOnly) patch.holdsThroughStoreOnly = values.holdsThroughStoreOnly;
  return patch;
}

// The core names fields as its API does ("schedule.startsAt", "items[2].allocation").
const CORE_FIELDS: [RegExp, (match: RegExpExecArray) => string][] = [
  [/^items\[(\d+)\]\.(title|allocation|platformRef)\b/, (m) => `items.${m[1]}.${m[2]}`],
  [/^schedule\.(startsAt|endsAt)\b/, (m) => m[1] ?? ""],
  [/^schedule\.prequeueAt\b/, () => "prequeueMinutes"],
  [/^admission\.(perMinute|maxActive)\b/, (m) => m[1] ?? ""],
  [/^admission\.mode\b/, () => "admissionMode"],
  [/^(name|holdMinutes|perCustomerLimit|items|holdsThroughStoreOnly)\b/, (m) => m[1] ?? ""],
];

const CORE_WORDS: [RegExp, string][] = [
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

/** What the form shows for a refused save, or null when the error is not the merchant's to fix. */
export function formProblem(error: unknown): FormProblem | null {
  const core = problemOf(error);
  if (core?.kind === "invalid_input" && core.field !== undefined)
    return { code: core.code, message: "Some fields need a fix before the drop can be saved; see below.", fields: { [core.field]: core.message } };
  if (core?.kind === "invalid_input") {
    const fields: FieldErrors = {};
    for (const [pattern, field] of CORE_FIELDS) {
      const match = pattern.exec(core.message);
      if (match) {
        const name = field(match);
        const itemIndex = /^items\.(\d+)\./.exec(name)?.[1];
        fields[name] = itemIndex === undefined ? reword(core.message) : reword(core.message.replace(/^items\[\d+\]\.(\w+)/, "$1"));
        break;
      }
    }
    const message = Object.keys(fields).length > 0 ? "Some fields need a fix before the drop can be saved; see below." : reword(core.message);
    return { code: core.code, message, fields };
  }
  if (core?.kind === "conflict") return { code: core.code, message: core.message, fields: {} };
  return null;
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

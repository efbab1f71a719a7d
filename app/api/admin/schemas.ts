import { z } from "zod";

// Shapes and types only: the bounds (allocations, minutes, limits, schedule order) are the
// core's rules (app/core/sales/validation.ts), so the API and the CLI enforce the same ones.
// Unknown fields are refused, so a typo never passes silently as "unchanged".

/** ISO 8601 with an explicit offset ("Z" or "+02:00"): a time without a zone is ambiguous. */
const timestamp = z.iso
  .datetime({ offset: true, message: "must be an ISO 8601 date-time with an offset, e.g. 2026-12-01T18:00:00Z" })
  .transform((value) => Date.parse(value));
const integer = z.number().int();
const text = z.string();
const mode = z.enum(["off", "rate", "capacity", "rate+capacity"]);
/** A decimal string ("19.99"), so no float rounds it; the currency's decimals are the core's rule. */
const price = z.strictObject({ amount: text, currency: text }).nullable().optional();
const bypassPolicy = z.enum(["allow", "flag", "cancel"]);
const schedule = z.strictObject({
  prequeueAt: timestamp.nullable().optional(),
  startsAt: timestamp.nullable().optional(),
  endsAt: timestamp.nullable().optional(),
});

export const createSaleSchema = z.strictObject({
  name: text,
  items: z.array(z.strictObject({ title: text, allocation: integer, platformRef: text.nullable().optional(), price })),
  schedule: schedule.optional(),
  holdMinutes: integer,
  perCustomerLimit: integer,
  admission: z.strictObject({
    mode,
    perMinute: integer.nullable().optional(),
    maxActive: integer.nullable().optional(),
    passMinutes: integer.optional(),
  }),
  bypassPolicy: bypassPolicy.optional(),
  holdsThroughStoreOnly: z.boolean().optional(),
});

/** Absent fields stay as they are; null clears an optional one; `items` is the complete new list. */
export const patchSaleSchema = z.strictObject({
  name: text.optional(),
  items: z
    .array(
      z.strictObject({
        id: text.optional(),
        title: text.optional(),
        allocation: integer.optional(),
        platformRef: text.nullable().optional(),
        price,
      }),
    )
    .optional(),
  schedule: schedule.optional(),
  holdMinutes: integer.optional(),
  perCustomerLimit: integer.optional(),
  admission: z
    .strictObject({
      mode: mode.optional(),
      perMinute: integer.nullable().optional(),
      maxActive: integer.nullable().optional(),
      passMinutes: integer.optional(),
    })
    .optional(),
  bypassPolicy: bypassPolicy.optional(),
  holdsThroughStoreOnly: z.boolean().optional(),
});

import { describe, expect, it } from "vitest";

import { linePoints, niceMax } from "../../../app/components/SalesChart.tsx";
import { formatInZone, fromZonedInput, toZonedInput } from "../../../app/components/zonedTime.ts";
import type { DropFormValues } from "../../../app/components/dropForm.ts";
import { dropPatch, formProblem, newDropInput } from "../../../app/drops/form.server.ts";
import { newSaleConfig } from "../../../app/core/sales/index.ts";
import { FieldErrorCollector, InvalidInputError } from "../../../app/core/errors/InvalidInputError.ts";

describe("zoned times", () => {
  it("converts wall-clock times in a zone to UTC and back, across DST", () => {
    expect(fromZonedInput("2026-01-15T18:00", "Europe/Berlin")).toEqual({ ok: true, utcMs: Date.UTC(2026, 0, 15, 17) });
    expect(fromZonedInput("2026-07-15T18:00", "Europe/Berlin")).toEqual({ ok: true, utcMs: Date.UTC(2026, 6, 15, 16) });
    expect(fromZonedInput("2026-11-28T09:30", "America/New_York")).toEqual({ ok: true, utcMs: Date.UTC(2026, 10, 28, 14, 30) });
    expect(fromZonedInput("2026-11-28T09:30", "Asia/Kolkata")).toEqual({ ok: true, utcMs: Date.UTC(2026, 10, 28, 4, 0) });
    expect(toZonedInput(Date.UTC(2026, 6, 15, 16), "Europe/Berlin")).toBe("2026-07-15T18:00");
  });

  it("refuses a time the clocks skip and takes the first of a time that happens twice", () => {
    expect(fromZonedInput("2026-03-29T02:30", "Europe/Berlin")).toEqual({ ok: false, reason: "gap" });
    // 02:30 on 25 Oct 2026 happens at 00:30 UTC (summer time) and 01:30 UTC (winter time).
    expect(fromZonedInput("2026-10-25T02:30", "Europe/Berlin")).toEqual({ ok: true, utcMs: Date.UTC(2026, 9, 25, 0, 30) });
  });

  it("refuses what is not a date-time", () => {
    for (const text of ["", "tomorrow", "2026-02-30T10:00", "2026-01-01 10:00", "2026-01-01T24:00"])
      expect(fromZonedInput(text, "UTC")).toEqual({ ok: false, reason: "format" });
  });

  it("formats for people, and says so when there is no time", () => {
    expect(formatInZone(Date.UTC(2026, 0, 15, 17), "Europe/Berlin")).toMatch(/Jan 15, 2026, 18:00 GMT\+1/);
    expect(formatInZone(null, "UTC")).toBe("Not scheduled");
  });
});

const current: DropFormValues = {
  name: "Drop",
  timeZone: "UTC",
  startsAt: "2030-01-01T10:00",
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
  items: [{ id: "a1", title: "Tee", allocation: "5", platformRef: "ref-1" }],
};

describe("the edit form's patch", () => {
  it("carries the store-only holds setting into the patch only when it changed", () => {
    expect(dropPatch(new FieldErrorCollector(), { ...current, holdsThroughStoreOnly: true }, current)).toEqual({ holdsThroughStoreOnly: true });
    expect(dropPatch(new FieldErrorCollector(), current, current)).toEqual({});
  });

  it("is empty when nothing changed", () => {
    expect(dropPatch(new FieldErrorCollector(), current, current)).toEqual({});
  });

  it("carries only the changed fields; the pre-queue moves with a new start", () => {
    const patch = dropPatch(
      new FieldErrorCollector(),
      {
        ...current,
        name: "New",
        startsAt: "2030-01-01T12:00",
        items: [
          { ...current.items[0]!, allocation: "7" },
          { title: "Cap", allocation: "3", platformRef: "" },
        ],
      },
      current,
    );
    expect(patch).toEqual({
      name: "New",
      schedule: { startsAt: Date.UTC(2030, 0, 1, 12), prequeueAt: Date.UTC(2030, 0, 1, 11, 45) },
      items: [
        { id: "a1", allocation: 7 },
        { title: "Cap", allocation: 3, platformRef: null, price: null },
      ],
    });
  });

  it("prices each product in the drop's currency; a new currency re-prices every product", () => {
    const priced: DropFormValues = { ...current, currency: "EUR", items: [{ ...current.items[0]!, price: "19.99" }] };
    expect(dropPatch(new FieldErrorCollector(), { ...priced, items: [{ ...priced.items[0]!, price: "17.50" }] }, priced)).toEqual({
      items: [{ id: "a1", price: { amount: "17.50", currency: "EUR" } }],
    });
    expect(dropPatch(new FieldErrorCollector(), { ...priced, currency: "usd" }, priced)).toEqual({
      items: [{ id: "a1", price: { amount: "19.99", currency: "USD" } }],
    });
    expect(dropPatch(new FieldErrorCollector(), priced, priced)).toEqual({});
  });

  it("sends the rate only in a rate mode", () => {
    expect(dropPatch(new FieldErrorCollector(), { ...current, admissionMode: "capacity", maxActive: "50" }, current).admission).toEqual({
      mode: "capacity",
      perMinute: null,
      maxActive: 50,
    });
  });
});

describe("core messages on the form", () => {
  it("points at the field and speaks of it as the form does", () => {
    expect(formProblem(new InvalidInputError("invalid_schedule", "schedule.endsAt must be after schedule.startsAt."))?.fields).toEqual({
      endsAt: "The end must be after the start.",
    });
    expect(formProblem(new InvalidInputError("invalid_allocation", "items[3].allocation must be an integer from 0 to 10."))?.fields).toEqual({
      "items.3.allocation": "The units allocated must be an integer from 0 to 10.",
    });
    expect(formProblem(new Error("boom"))).toBeNull();
    expect(
      formProblem(
        new InvalidInputError(
          "invalid_holds_through_store",
          "holdsThroughStoreOnly protects a per-customer limit: set perCustomerLimit above 0, or turn it off.",
        ),
      )?.fields,
    ).toEqual({
      holdsThroughStoreOnly: "Taking holds only through the store protects a per-customer limit: set a limit per customer above 0, or turn it off.",
    });
  });

  it("shows every refused field at once, in the form's words", () => {
    const problem = formProblem(
      new InvalidInputError("invalid_items", "items must list 1-100 items. name must be 1-200 characters.", [
        { path: "items", code: "invalid_items", message: "items must list 1-100 items." },
        { path: "name", code: "invalid_name", message: "name must be 1-200 characters, without control characters." },
        { path: "holdMinutes", code: "invalid_hold_minutes", message: "holdMinutes must be an integer from 1 to 120." },
        { path: "items[1].title", code: "invalid_item", message: "items[1].title must be 1-200 characters, without control characters." },
      ]),
    );
    expect(problem?.fields).toEqual({
      items: "Products: add at least one product (at most 100).",
      name: "The drop name must be 1-200 characters, without control characters.",
      holdMinutes: "Hold minutes must be an integer from 1 to 120.",
      "items.1.title": "The product's title must be 1-200 characters, without control characters.",
    });
    expect([problem?.message, ...Object.values(problem?.fields ?? {})].join(" ")).not.toMatch(/\bitems?\b/i);
  });

  it("puts the core's price refusals on each product's price and on the currency, all at once", () => {
    const refusal = (values: DropFormValues) => {
      try {
        newSaleConfig(newDropInput(new FieldErrorCollector(), values, null), Date.UTC(2029, 0, 1));
      } catch (error) {
        return formProblem(error)?.fields;
      }
      throw new Error("the drop was accepted");
    };
    const item = (price: string) => ({ title: "Tee", allocation: "5", platformRef: "", price });
    expect(refusal({ ...current, currency: "EUR", items: [item("19.999"), item(""), item("5")] })).toEqual({
      "items.0.price": 'The price must be a number with at most the currency\'s decimals, such as 19.99 (got "19.999").',
      "items.1.price": "Give this product a price too: price every product of the drop, or none.",
    });
    expect(refusal({ ...current, currency: "EURO", items: [item("5")] })).toEqual({
      currency: "Currency: enter a three-letter currency code such as EUR or USD.",
    });
  });

  it("keeps the form's own reading of a field over the core's rule about the same field", () => {
    const problem = formProblem(
      new InvalidInputError("invalid_number", "two problems", [
        { path: "items.0.allocation", code: "invalid_number", message: 'Product 1 units allocated: enter a whole number (you entered "lots").' },
        { path: "items[0].allocation", code: "invalid_allocation", message: "items[0].allocation must be an integer from 0 to 100000000." },
      ]),
    );
    expect(problem?.fields).toEqual({ "items.0.allocation": 'Product 1 units allocated: enter a whole number (you entered "lots").' });
  });
});

describe("the chart", () => {
  it("rounds axes up to 1, 2 or 5 times a power of ten", () => {
    expect([0, 1, 3, 7, 10, 11, 180, 600].map(niceMax)).toEqual([1, 1, 5, 10, 10, 20, 200, 1000]);
  });

  it("places the first sample at the left, the last at the right, the maximum at the top", () => {
    const points = linePoints(
      [
        { at: 0, sold: 0, waiting: 0 },
        { at: 5_000, sold: 10, waiting: 0 },
      ],
      (sample) => sample.sold,
      { width: 196, height: 136 },
      10,
    );
    expect(points).toBe("48.0,112.0 148.0,12.0");
  });
});

describe("core errors from another copy of the core", () => {
  // Under Vite and in the Remix build, the routes have their own copy of app/core, while the
  // SaleService in the load context comes from the server process: same names, other classes.
  class InvalidInputError extends Error {
    override readonly name = "InvalidInputError";
    constructor(
      readonly code: string,
      message: string,
    ) {
      super(message);
    }
  }
  class SaleConflictError extends Error {
    override readonly name = "SaleConflictError";
    constructor(
      readonly code: string,
      message: string,
    ) {
      super(message);
    }
  }

  it("are recognised by name and code, not by class", async () => {
    const { formFailure } = await import("../../../app/drops/form.server.ts");
    const { errorResponse } = await import("../../../app/drops/errors.server.ts");
    expect(formFailure(new InvalidInputError("invalid_hold_minutes", "holdMinutes must be an integer from 1 to 120."))).toEqual({
      status: 422,
      problem: { code: "invalid_hold_minutes", message: expect.any(String), fields: { holdMinutes: "Hold minutes must be an integer from 1 to 120." } },
    });
    expect(formFailure(new SaleConflictError("sale_ended", "Sale x has ended."))?.status).toBe(409);
    expect(errorResponse(new SaleConflictError("invalid_transition", "Cannot pause."))?.status).toBe(409);
    expect(errorResponse(new Error("boom"))).toBeNull();
  });
});

describe("the drops list's time column", () => {
  it("says what the state makes true: a selling drop is never 'Not scheduled'", async () => {
    const { whenText } = await import("../../../app/components/DropsList.tsx");
    const past = Date.UTC(2026, 0, 15, 17);
    expect(whenText({ state: "live", startsAt: null, endsAt: null }, "UTC")).toBe("Selling now (started by hand)");
    expect(whenText({ state: "live", startsAt: past, endsAt: null }, "UTC")).toMatch(/^Selling since Jan 15, 2026/);
    expect(whenText({ state: "draft", startsAt: null, endsAt: null }, "UTC")).toBe("Not scheduled");
    expect(whenText({ state: "paused", startsAt: null, endsAt: null }, "UTC")).toBe("Paused");
    expect(whenText({ state: "ended", startsAt: null, endsAt: past }, "UTC")).toMatch(/^Ended Jan 15, 2026/);
    expect(whenText({ state: "ended", startsAt: null, endsAt: Date.now() + 3_600_000 }, "UTC")).toBe("Ended");
  });
});

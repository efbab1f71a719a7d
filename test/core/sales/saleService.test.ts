import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { InvalidInputError } from "../../../app/core/errors/InvalidInputError.ts";
import { silentLogger } from "../../../app/core/logger.ts";
import { InvalidTransitionError, SaleConflictError, SaleNotFoundError, type NewSaleInput, type SalePatch } from "../../../app/core/sales/index.ts";
import { AdmissionController } from "../../../app/core/waiting-room/index.ts";
import { ManualClock } from "../../support/redis.ts";
import { salesHarness, type SalesHarness } from "./harness.ts";

const MINUTE = 60_000;
const clock = new ManualClock();
let h: SalesHarness;

beforeAll(async () => {
  h = await salesHarness(clock);
});
afterAll(() => h?.close());

function input(overrides: Partial<NewSaleInput> = {}): NewSaleInput {
  return {
    name: "Drop",
    items: [
      { title: "Sneaker", allocation: 100 },
      { title: "Cap", allocation: 50, platformRef: "gid://shopify/ProductVariant/7" },
    ],
    holdMinutes: 10,
    perCustomerLimit: 2,
    admission: { mode: "rate", perMinute: 600 },
    ...overrides,
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: Error & { code?: string }) => error,
  );
}

describe("create", () => {
  it("keeps a sale without a start as a draft, with nothing in Redis", async () => {
    const { sale, room, counters } = await h.service.create(input());
    expect(sale).toMatchObject({
      state: "draft",
      name: "Drop",
      schedule: { prequeueAt: null, startsAt: null, endsAt: null },
      admission: { mode: "rate", perMinute: 600, maxActive: null, passMinutes: 10 },
      items: [
        { title: "Sneaker", allocation: 100, platformRef: null },
        { title: "Cap", allocation: 50, platformRef: "gid://shopify/ProductVariant/7" },
      ],
    });
    expect(sale.id).toMatch(/^[A-Za-z0-9]{10}$/);
    for (const item of sale.items) expect(item.id).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(room).toBeNull();
    expect(counters).toEqual({});
    expect(await h.holds.snapshot(sale.id)).toBeNull();
    expect(await h.room.view(sale.id)).toBeNull();
    expect((await h.repository.get(sale.id))?.state).toBe("draft");
  });

  it("sets up stock and room at once for a scheduled sale, so the controller can run the schedule", async () => {
    const startsAt = clock.now() + 30 * MINUTE;
    const { sale, room, counters } = await h.service.create(
      input({ schedule: { prequeueAt: clock.now() + 20 * MINUTE, startsAt, endsAt: startsAt + 60 * MINUTE }, holdMinutes: 7 }),
    );
    expect(sale.state).toBe("scheduled");
    expect(room).toMatchObject({ state: "scheduled", waiting: 0, admitted: 0, prequeued: 0, issued: 0, soldOut: false });
    const [sneaker, cap] = sale.items;
    expect(counters[sneaker?.id ?? ""]).toEqual({ allocated: 100, available: 100, held: 0, sold: 0 });
    expect(counters[cap?.id ?? ""]).toEqual({ allocated: 50, available: 50, held: 0, sold: 0 });
    expect((await h.holds.snapshot(sale.id))?.perCustomerLimit).toBe(2);
    expect(await h.room.view(sale.id)).toMatchObject({ mode: "rate", perMinute: 600, holdMs: 7 * MINUTE, passMs: 10 * MINUTE, startsAt });
    expect(await h.room.activeRooms()).toContain(sale.id);
  });

  it("opens the pre-queue at once when its time has come", async () => {
    const { sale } = await h.service.create(input({ schedule: { prequeueAt: clock.now() - MINUTE, startsAt: clock.now() + MINUTE } }));
    expect(sale.state).toBe("prequeue");
    expect((await h.room.view(sale.id))?.state).toBe("prequeue");
  });

  it.each<[string, Partial<NewSaleInput>, string, RegExp]>([
    ["no items", { items: [] }, "invalid_items", /items must list 1-100/],
    ["101 items", { items: Array.from({ length: 101 }, (_, i) => ({ title: `t${i}`, allocation: 1 })) }, "invalid_items", /1-100/],
    ["an empty title", { items: [{ title: "  ", allocation: 1 }] }, "invalid_item", /items\[0\]\.title/],
    ["a 201-character title", { items: [{ title: "x".repeat(201), allocation: 1 }] }, "invalid_item", /items\[0\]\.title/],
    ["a negative allocation", { items: [{ title: "a", allocation: -1 }] }, "invalid_allocation", /items\[0\]\.allocation must be an integer from 0/],
    ["a huge allocation", { items: [{ title: "a", allocation: 1e12 }] }, "invalid_allocation", /items\[0\]\.allocation/],
    ["a fractional allocation", { items: [{ title: "a", allocation: 1.5 }] }, "invalid_allocation", /items\[0\]\.allocation/],
    ["an empty name", { name: "" }, "invalid_name", /^name/],
    ["holdMinutes 0", { holdMinutes: 0 }, "invalid_hold_minutes", /holdMinutes must be an integer from 1 to 120/],
    ["holdMinutes 121", { holdMinutes: 121 }, "invalid_hold_minutes", /holdMinutes/],
    ["a limit of 1001", { perCustomerLimit: 1001 }, "invalid_limit", /perCustomerLimit must be an integer from 0 to 1000/],
    ["rate mode without perMinute", { admission: { mode: "rate" } }, "invalid_admission", /admission\.perMinute is required/],
    ["capacity mode without maxActive", { admission: { mode: "capacity" } }, "invalid_admission", /admission\.maxActive is required/],
    ["rate+capacity without maxActive", { admission: { mode: "rate+capacity", perMinute: 5 } }, "invalid_admission", /admission\.maxActive/],
    ["passMinutes 61", { admission: { mode: "off", passMinutes: 61 } }, "invalid_admission", /admission\.passMinutes/],
    ["an unknown mode", { admission: { mode: "fast" as "off" } }, "invalid_admission", /admission\.mode must be one of/],
    ["a pre-queue without a start", { schedule: { prequeueAt: Date.UTC(2030, 0, 1) } }, "invalid_schedule", /prequeueAt needs schedule\.startsAt/],
    ["a pre-queue after the start", { schedule: { prequeueAt: Date.UTC(2030, 0, 2), startsAt: Date.UTC(2030, 0, 1) } }, "invalid_schedule", /not be after/],
    ["an end before the start", { schedule: { startsAt: Date.UTC(2030, 0, 2), endsAt: Date.UTC(2030, 0, 2) } }, "invalid_schedule", /endsAt must be after/],
    ["an end in the past", { schedule: { endsAt: Date.UTC(2020, 0, 1) } }, "invalid_schedule", /endsAt must be in the future/],
  ])("refuses %s, storing nothing", async (_case, overrides, code, message) => {
    const before = await h.service.list({ limit: 200 });
    const error = await failure(h.service.create(input(overrides)));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(await h.service.list({ limit: 200 })).toEqual(before);
  });
});

describe("transitions", () => {
  it("starts a draft (setting it up in Redis), pauses, resumes and ends it", async () => {
    const { sale } = await h.service.create(input({ admission: { mode: "off" } }));
    const started = await h.service.start(sale.id);
    expect(started.sale.state).toBe("live");
    expect(started.room?.state).toBe("live");
    expect(started.counters[sale.items[0]?.id ?? ""]).toEqual({ allocated: 100, available: 100, held: 0, sold: 0 });
    expect((await h.service.pause(sale.id)).sale.state).toBe("paused");
    expect((await h.service.pause(sale.id)).sale.state).toBe("paused");
    expect((await h.service.resume(sale.id)).sale.state).toBe("live");
    expect((await h.service.start(sale.id)).sale.state).toBe("live");
    expect((await h.service.end(sale.id)).sale.state).toBe("ended");
    expect((await h.service.end(sale.id)).sale.state).toBe("ended");
    expect((await h.repository.get(sale.id))?.state).toBe("ended");
    expect(await h.room.activeRooms()).not.toContain(sale.id);
  });

  it("refuses moves the state does not allow, naming the state, and changes nothing", async () => {
    const { sale } = await h.service.create(input({ schedule: { startsAt: clock.now() + MINUTE } }));
    const pause = await failure(h.service.pause(sale.id));
    expect(pause).toBeInstanceOf(InvalidTransitionError);
    expect(pause).toMatchObject({ code: "invalid_transition", state: "scheduled" });
    expect(pause.message).toMatch(/Cannot pause a sale that is scheduled/);
    await h.service.start(sale.id);
    await h.service.pause(sale.id);
    expect(await failure(h.service.start(sale.id))).toMatchObject({ code: "invalid_transition", state: "paused" });
    await h.service.end(sale.id);
    for (const action of ["start", "pause", "resume"] as const) {
      expect(await failure(h.service.transition(sale.id, action))).toMatchObject({ code: "invalid_transition", state: "ended" });
    }
    expect((await h.service.get(sale.id)).sale.state).toBe("ended");

    const draft = await h.service.create(input());
    expect(await failure(h.service.resume(draft.sale.id))).toMatchObject({ code: "invalid_transition", state: "draft" });
    expect(await h.room.view(draft.sale.id)).toBeNull();
    expect((await h.service.end(draft.sale.id)).sale.state).toBe("ended");
    expect(await h.holds.snapshot(draft.sale.id)).toBeNull();
  });

  it("answers sale_not_found for unknown and malformed ids", async () => {
    for (const id of ["nope123456", "bad id{}", ""]) {
      expect(await failure(h.service.get(id))).toBeInstanceOf(SaleNotFoundError);
      expect(await failure(h.service.start(id))).toMatchObject({ code: "sale_not_found" });
    }
  });

  it("follows the schedule the admission controller applies", async () => {
    const { sale } = await h.service.create(
      input({ schedule: { prequeueAt: clock.now() + MINUTE, startsAt: clock.now() + 2 * MINUTE, endsAt: clock.now() + 3 * MINUTE } }),
    );
    const controller = new AdmissionController(h.redis, h.room, {
      clock,
      logger: silentLogger,
      onScheduledTransition: (saleId, state) => h.service.onScheduledTransition(saleId, state),
    });
    const states: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(MINUTE);
      await controller.tick();
      states.push((await h.repository.get(sale.id))?.state ?? "?");
    }
    await controller.stop();
    expect(states).toEqual(["prequeue", "live", "ended"]);
  });

  it("brings a stale stored state up to the room's when read", async () => {
    const { sale } = await h.service.create(input({ schedule: { startsAt: clock.now() + MINUTE } }));
    await h.room.transition(sale.id, "live");
    expect((await h.repository.get(sale.id))?.state).toBe("scheduled");
    expect((await h.service.get(sale.id)).sale.state).toBe("live");
    expect((await h.repository.get(sale.id))?.state).toBe("live");
  });
});

describe("live counters", () => {
  it("reports holds per item and the room's queue", async () => {
    const { sale } = await h.service.create(input({ admission: { mode: "off" } }));
    await h.service.start(sale.id);
    const sneaker = sale.items[0]?.id ?? "";
    await h.holds.reserve(sale.id, { lines: [{ itemId: sneaker, quantity: 2 }], customerId: "c1", ttlMs: MINUTE, requestId: "r1" });
    await h.room.join(sale.id, "s1");
    await h.room.join(sale.id, "s2");
    const details = await h.service.get(sale.id);
    expect(details.counters[sneaker]).toEqual({ allocated: 100, available: 98, held: 2, sold: 0 });
    expect(details.activeHolds).toBe(1);
    expect(details.room).toEqual({ state: "live", waiting: 2, admitted: 0, prequeued: 0, issued: 2, soldOut: false });
  });

  it("stops counting people waiting once the sale has ended", async () => {
    const { sale } = await h.service.create(input({ admission: { mode: "rate", perMinute: 1 } }));
    await h.service.start(sale.id);
    for (const session of ["e1", "e2", "e3"]) await h.room.join(sale.id, session);
    expect((await h.service.get(sale.id)).room?.waiting).toBe(3);
    await h.service.end(sale.id);
    expect((await h.service.get(sale.id)).room).toMatchObject({ state: "ended", waiting: 0, issued: 3 });
  });
});

describe("update", () => {
  it("changes anything while scheduled, through adjust for stock already in Redis", async () => {
    const startsAt = clock.now() + 10 * MINUTE;
    const { sale } = await h.service.create(input({ schedule: { startsAt } }));
    const [sneaker, cap] = sale.items;
    const updated = await h.service.update(sale.id, {
      name: "Drop 2",
      schedule: { startsAt: startsAt + MINUTE, prequeueAt: startsAt - MINUTE },
      items: [
        { id: sneaker?.id, allocation: 120, title: "Sneaker v2" },
        { title: "Hat", allocation: 5 },
      ],
    });
    expect(updated.sale).toMatchObject({ name: "Drop 2", schedule: { startsAt: startsAt + MINUTE, prequeueAt: startsAt - MINUTE } });
    expect(updated.sale.items.map((item) => [item.title, item.allocation])).toEqual([
      ["Sneaker v2", 120],
      ["Hat", 5],
    ]);
    const hat = updated.sale.items[1]?.id ?? "";
    expect(updated.counters[sneaker?.id ?? ""]).toEqual({ allocated: 120, available: 120, held: 0, sold: 0 });
    expect(updated.counters[hat]).toEqual({ allocated: 5, available: 5, held: 0, sold: 0 });
    // The removed item keeps its Redis fields, emptied, so nobody can hold it.
    expect(updated.counters[cap?.id ?? ""]).toEqual({ allocated: 0, available: 0, held: 0, sold: 0 });
    expect((await h.room.view(sale.id))?.startsAt).toBe(startsAt + MINUTE);
    expect((await h.repository.get(sale.id))?.items.map((item) => item.id)).toEqual([sneaker?.id, hat]);
  });

  it("sets a draft up in Redis once it gets a start time", async () => {
    const { sale } = await h.service.create(input());
    const updated = await h.service.update(sale.id, { schedule: { startsAt: clock.now() + MINUTE }, items: [{ id: sale.items[0]?.id }] });
    expect(updated.sale.state).toBe("scheduled");
    expect(updated.sale.items).toHaveLength(1);
    expect(Object.keys((await h.holds.snapshot(sale.id))?.items ?? {})).toEqual([sale.items[0]?.id]);
  });

  it("after the start: adjusts allocations, updates the limit and settings, adds items, and keeps the counters", async () => {
    const { sale } = await h.service.create(input({ admission: { mode: "rate", perMinute: 60 } }));
    await h.service.start(sale.id);
    const [sneaker = "", cap = ""] = sale.items.map((item) => item.id);
    await h.holds.reserve(sale.id, { lines: [{ itemId: sneaker, quantity: 2 }], customerId: "c1", ttlMs: MINUTE, requestId: "r1" });
    await h.room.join(sale.id, "s1");

    const updated = await h.service.update(sale.id, {
      name: "Renamed",
      perCustomerLimit: 5,
      holdMinutes: 3,
      admission: { perMinute: 120, passMinutes: 4 },
      schedule: { endsAt: clock.now() + 60 * MINUTE },
      items: [
        { id: sneaker, allocation: 10 },
        { id: cap, allocation: 80 },
        { title: "Socks", allocation: 9 },
      ],
    });
    expect(updated.sale).toMatchObject({
      name: "Renamed",
      state: "live",
      perCustomerLimit: 5,
      holdMinutes: 3,
      admission: { mode: "rate", perMinute: 120, passMinutes: 4 },
    });
    expect(updated.counters[sneaker]).toEqual({ allocated: 10, available: 8, held: 2, sold: 0 });
    expect(updated.counters[cap]).toEqual({ allocated: 80, available: 80, held: 0, sold: 0 });
    expect(updated.counters[updated.sale.items[2]?.id ?? ""]).toEqual({ allocated: 9, available: 9, held: 0, sold: 0 });
    expect((await h.holds.snapshot(sale.id))?.perCustomerLimit).toBe(5);
    expect(await h.room.view(sale.id)).toMatchObject({ state: "live", perMinute: 120, passMs: 4 * MINUTE, holdMs: 3 * MINUTE, issued: 1 });
  });

  it("refuses to take back held or sold units, and changes nothing", async () => {
    const { sale } = await h.service.create(input({ admission: { mode: "off" } }));
    await h.service.start(sale.id);
    const [sneaker = "", cap = ""] = sale.items.map((item) => item.id);
    await h.holds.reserve(sale.id, { lines: [{ itemId: sneaker, quantity: 2 }], customerId: "c1", ttlMs: MINUTE, requestId: "r1" });
    const reserved = await h.holds.reserve(sale.id, { lines: [{ itemId: sneaker, quantity: 1 }], customerId: "c2", ttlMs: MINUTE, requestId: "r2" });
    if (reserved.outcome !== "reserved") throw new Error("no hold");
    await h.holds.commit(sale.id, reserved.holdId, "order-1");
    const before = { stored: await h.repository.get(sale.id), stock: await h.holds.snapshot(sale.id) };

    const error = await failure(
      h.service.update(sale.id, {
        name: "x",
        items: [
          { id: sneaker, allocation: 2 },
          { id: cap, allocation: 10 },
        ],
      }),
    );
    expect(error).toBeInstanceOf(SaleConflictError);
    expect(error.code).toBe("allocation_below_committed");
    expect(error.message).toMatch(/3 unit\(s\) are already held or sold/);
    expect(await h.repository.get(sale.id)).toEqual(before.stored);
    expect(await h.holds.snapshot(sale.id)).toEqual(before.stock);

    // Down to exactly what is committed is fine.
    const updated = await h.service.update(sale.id, { items: [{ id: sneaker, allocation: 3 }, { id: cap }] });
    expect(updated.counters[sneaker]).toEqual({ allocated: 3, available: 0, held: 2, sold: 1 });
  });

  it("applies overlapping patches one after the other, so allocations do not compound", async () => {
    const { sale } = await h.service.create(input({ admission: { mode: "off" } }));
    await h.service.start(sale.id);
    const [sneaker = "", cap = ""] = sale.items.map((item) => item.id);
    const patch = { items: [{ id: sneaker, allocation: 120 }, { id: cap }] };
    await Promise.all([h.service.update(sale.id, patch), h.service.update(sale.id, patch), h.service.pause(sale.id)]);
    expect((await h.holds.snapshot(sale.id))?.items[sneaker]).toEqual({ allocated: 120, available: 120, held: 0, sold: 0 });
    expect((await h.service.get(sale.id)).sale.state).toBe("paused");
  });

  it("refuses what cannot change once the sale is under way", async () => {
    const { sale } = await h.service.create(input({ schedule: { prequeueAt: clock.now() - MINUTE, startsAt: clock.now() + MINUTE } }));
    const [sneaker] = sale.items.map((item) => item.id);
    const cases: [SalePatch, string][] = [
      [{ items: [{ id: sneaker }] }, "item_removal_not_allowed"],
      [{ schedule: { startsAt: clock.now() + 5 * MINUTE } }, "sale_started"],
      [{ schedule: { prequeueAt: null } }, "sale_started"],
      [{ items: [{ id: sneaker, platformRef: "gid://other" }, { id: sale.items[1]?.id }] }, "sale_started"],
    ];
    for (const [patch, code] of cases) {
      expect(await failure(h.service.update(sale.id, patch))).toMatchObject({ code });
    }
    expect(await failure(h.service.update(sale.id, { items: [{ id: "notAnItem" }] }))).toMatchObject({ code: "unknown_item" });
    expect(await failure(h.service.update(sale.id, { admission: { mode: "capacity" } }))).toMatchObject({ code: "invalid_admission" });
    expect(await h.repository.get(sale.id)).toMatchObject({ items: sale.items, schedule: sale.schedule, admission: sale.admission });

    await h.service.end(sale.id);
    const ended = await failure(h.service.update(sale.id, { name: "late" }));
    expect(ended).toMatchObject({ code: "sale_ended" });
  });
});

describe("list", () => {
  it("lists newest first, within a limit", async () => {
    const first = await h.service.create(input({ name: "older" }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await h.service.create(input({ name: "newer" }));
    const listed = await h.service.list({ limit: 200 });
    expect(listed.findIndex((sale) => sale.id === second.sale.id)).toBeLessThan(listed.findIndex((sale) => sale.id === first.sale.id));
    expect(await h.service.list({ limit: 1 })).toHaveLength(1);
    expect(await failure(h.service.list({ limit: 0 }))).toMatchObject({ code: "invalid_list_limit" });
  });
});

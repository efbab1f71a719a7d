// Order-time enforcement, line by line, through the order processor on real Redis and SQL:
// which units a hold token proves, what happens to the rest under each bypass policy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Line } from "../../../app/core/inventory/index.ts";
import { holdEngineInventory, OrderLocks, OrderProcessor, PlatformCallQueue, type OrderEvent } from "../../../app/core/orders/index.ts";
import { QUEUE_NAMES } from "../../../app/core/queues/index.ts";
import { FOREIGN_KEYRING, signHoldToken, TEST_KEYRING, testKeyrings } from "../../support/holdTokens.ts";
import { expectInvariant } from "../inventory/invariant.ts";
import { OrdersHarness, recordingLogger, type SaleSetup, type TestSale } from "./harness.ts";

let h: OrdersHarness;
let processor: OrderProcessor;
const logger = recordingLogger();
beforeAll(async () => {
  h = await OrdersHarness.create("enforce");
  processor = new OrderProcessor({
    inventory: holdEngineInventory(h.holds, h.redis),
    orders: h.repository,
    platformCalls: new PlatformCallQueue(h.queues),
    locks: new OrderLocks(h.redis),
    keyrings: testKeyrings,
    logger,
  });
});
afterAll(() => h?.close());

const ITEMS = [
  { itemId: "shoe", allocation: 10 },
  { itemId: "hat", allocation: 2 },
];
const sale = (label: string, setup: SaleSetup = {}) => h.createSale(label, { withStore: true, items: ITEMS, ...setup });

function order(s: TestSale, ref: string, lines: Line[], fields: Partial<OrderEvent> = {}): OrderEvent {
  return { ...h.event(s, { platformOrderRef: ref }), lines, ...fields };
}

async function counters(s: TestSale) {
  const snapshot = await h.holds.snapshot(s.saleId);
  expectInvariant(snapshot);
  return snapshot!;
}

async function cancelCalls(ref: string) {
  const jobs = await h.queues.queue(QUEUE_NAMES.platformCalls).getJobs(["waiting", "delayed", "active"]);
  return jobs.filter((job) => job.data.platformOrderRef === ref);
}

describe("hold tokens", () => {
  it("commits the held units of a raised quantity and applies the policy to the rest only", async () => {
    const s = await sale("raised", { policy: "flag" });
    const holdId = await h.reserve(s.saleId, [{ itemId: "shoe", quantity: 1 }], "ann");
    const outcome = await processor.process(
      order(s, "R-1", [{ itemId: "shoe", quantity: 3 }], { holdTokens: [signHoldToken(s.saleId, holdId)], customerRef: "ann" }),
    );
    expect(outcome).toEqual({ action: "taken", status: "flagged" });
    expect((await counters(s)).items.shoe).toEqual({ allocated: 10, available: 7, held: 0, sold: 3 });
    expect(await h.repository.find(s.saleId, "R-1")).toMatchObject({
      status: "flagged",
      bypass: true,
      holdId,
      lines: [{ itemId: "shoe", quantity: 3 }],
      bypassLines: [{ itemId: "shoe", quantity: 2 }],
    });
  });

  it("commits exactly the held quantity as a plain committed order, releasing what the order did not take", async () => {
    const s = await sale("exact");
    const holdId = await h.reserve(s.saleId, [
      { itemId: "shoe", quantity: 2 },
      { itemId: "hat", quantity: 1 },
    ]);
    expect(await processor.process(order(s, "E-1", [{ itemId: "shoe", quantity: 2 }], { holdTokens: [signHoldToken(s.saleId, holdId)] }))).toEqual({
      action: "committed",
      status: "committed",
    });
    const snapshot = await counters(s);
    expect(snapshot.items.shoe).toEqual({ allocated: 10, available: 8, held: 0, sold: 2 });
    expect(snapshot.items.hat).toEqual({ allocated: 2, available: 2, held: 0, sold: 0 });
    const row = await h.repository.find(s.saleId, "E-1");
    expect(row).toMatchObject({ status: "committed", bypass: false });
    expect(row).not.toHaveProperty("bypassLines");
  });

  it("treats a second drop item as bypass units", async () => {
    const s = await sale("second", { policy: "allow" });
    const holdId = await h.reserve(s.saleId, [{ itemId: "shoe", quantity: 1 }]);
    const outcome = await processor.process(
      order(
        s,
        "S-1",
        [
          { itemId: "shoe", quantity: 1 },
          { itemId: "hat", quantity: 1 },
        ],
        { holdTokens: [signHoldToken(s.saleId, holdId)] },
      ),
    );
    expect(outcome).toEqual({ action: "taken", status: "taken" });
    expect(await h.repository.find(s.saleId, "S-1")).toMatchObject({ bypassLines: [{ itemId: "hat", quantity: 1 }] });
    expect((await counters(s)).items.hat).toEqual({ allocated: 2, available: 1, held: 0, sold: 1 });
  });

  it.each([
    [
      "forged (signed with a made-up key)",
      (saleId: string, holdId: string) =>
        signHoldToken(saleId, holdId, { keyring: { current: { kid: "test-current", secret: Buffer.from("guessed") }, previous: [] } }),
    ],
    ["another store's key", (saleId: string, holdId: string) => signHoldToken(saleId, holdId, { keyring: FOREIGN_KEYRING })],
    ["for another sale", (_saleId: string, holdId: string) => signHoldToken("some-other-sale", holdId)],
    [
      "tampered",
      (saleId: string, holdId: string) =>
        signHoldToken(saleId, "other-hold").replace(
          /\.[^.]+\./,
          `.${Buffer.from(JSON.stringify({ typ: "hold", s: saleId, h: holdId, sh: "x", iat: 1, exp: 9e9 })).toString("base64url")}.`,
        ),
    ],
    ["not a token", () => "x.y.z"],
  ])("never trusts the hold id of a token that is %s: the units are bypass units and the hold stays", async (_label, token) => {
    const s = await sale("forged", { policy: "cancel" });
    const holdId = await h.reserve(s.saleId, [{ itemId: "shoe", quantity: 2 }], "victim");
    const ref = `F-${Math.random()}`;
    const outcome = await processor.process(order(s, ref, [{ itemId: "shoe", quantity: 2 }], { holdId, holdTokens: [token(s.saleId, holdId)] }));
    expect(outcome).toEqual({ action: "taken", status: "cancel_requested" });
    // The victim's hold is untouched; the order's units came out of available.
    expect((await counters(s)).items.shoe).toEqual({ allocated: 10, available: 6, held: 2, sold: 2 });
    expect((await counters(s)).activeHolds).toBe(1);
    expect(await cancelCalls(ref)).toHaveLength(1);
    expect(logger.lines.some((line) => line.message.includes("does not verify") && line.fields.orderRef === ref)).toBe(true);
    expect(JSON.stringify(logger.lines)).not.toContain(token(s.saleId, holdId));
  });

  it("verifies a token signed with the store's previous key (a rotation never refuses a valid hold)", async () => {
    const s = await sale("rotated");
    const holdId = await h.reserve(s.saleId, [{ itemId: "shoe", quantity: 1 }]);
    const token = signHoldToken(s.saleId, holdId, { keyring: { current: TEST_KEYRING.previous[0]!, previous: [] } });
    expect(await processor.process(order(s, "K-1", [{ itemId: "shoe", quantity: 1 }], { holdTokens: [token] }))).toEqual({
      action: "committed",
      status: "committed",
    });
  });

  it("commits the hold of an expired token while the hold was not reclaimed", async () => {
    const s = await sale("expired");
    const holdId = await h.reserve(s.saleId, [{ itemId: "shoe", quantity: 1 }]);
    const token = signHoldToken(s.saleId, holdId, { ttlSeconds: -60 });
    expect(await processor.process(order(s, "X-1", [{ itemId: "shoe", quantity: 1 }], { holdTokens: [token] }))).toEqual({
      action: "committed",
      status: "committed",
    });
  });

  it("does not release a hold a cancellation names without its token", async () => {
    const s = await sale("cancel-forged");
    const holdId = await h.reserve(s.saleId, [{ itemId: "shoe", quantity: 1 }]);
    expect(await processor.process(order(s, "C-1", [], { kind: "cancelled", holdId }))).toEqual({ action: "voided", status: "cancelled" });
    expect((await counters(s)).items.shoe).toMatchObject({ held: 1 });
    expect(await processor.process(order(s, "C-2", [], { kind: "cancelled", holdId, holdTokens: [signHoldToken(s.saleId, holdId)] }))).toEqual({
      action: "voided",
      status: "cancelled",
    });
    expect((await counters(s)).items.shoe).toMatchObject({ held: 0, available: 10 });
  });

  it("replays to the same effect", async () => {
    const s = await sale("replay");
    const holdId = await h.reserve(s.saleId, [{ itemId: "shoe", quantity: 1 }]);
    const event = order(s, "P-1", [{ itemId: "shoe", quantity: 2 }], { holdTokens: [signHoldToken(s.saleId, holdId)] });
    await processor.process(event);
    const before = await counters(s);
    expect(await processor.process({ ...event, eventId: `${event.eventId}-again` })).toEqual({ action: "duplicate", status: "flagged" });
    expect(await counters(s)).toEqual(before);
  });
});

describe("oversells and staff orders", () => {
  it("records units the sale did not have as oversold, with the order, and reports them", async () => {
    const s = await sale("oversold", { policy: "flag" });
    const outcome = await processor.process(order(s, "O-1", [{ itemId: "hat", quantity: 5 }]));
    expect(outcome).toEqual({ action: "oversold", status: "oversold_on_platform" });
    expect(await h.repository.find(s.saleId, "O-1")).toMatchObject({
      lines: [{ itemId: "hat", quantity: 2 }],
      bypassLines: [{ itemId: "hat", quantity: 5 }],
      oversoldLines: [{ itemId: "hat", quantity: 3 }],
    });
    expect((await counters(s)).oversold).toEqual({ hat: 3 });
  });

  it("never cancels an order the merchant's staff made, whatever the policy: it is flagged", async () => {
    const s = await sale("staff", { policy: "cancel" });
    expect(await processor.process(order(s, "POS-1", [{ itemId: "shoe", quantity: 1 }], { createdByStaff: true }))).toEqual({
      action: "taken",
      status: "flagged",
    });
    expect(await cancelCalls("POS-1")).toEqual([]);
    expect(await processor.process(order(s, "POS-2", [{ itemId: "hat", quantity: 9 }], { createdByStaff: true }))).toEqual({
      action: "oversold",
      status: "oversold_on_platform",
    });
    expect(await cancelCalls("POS-2")).toEqual([]);
    expect(await processor.process(order(s, "WEB-1", [{ itemId: "shoe", quantity: 1 }]))).toEqual({ action: "taken", status: "cancel_requested" });
    expect(await cancelCalls("WEB-1")).toHaveLength(1);
  });
});

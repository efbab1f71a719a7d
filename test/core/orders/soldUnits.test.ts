// The one rule for "units sold per item of a sale according to SQL" (core/orders/soldUnits.ts),
// which reconciliation compares Redis with and recovery rebuilds Redis from.
import { describe, expect, it } from "vitest";

import { countSoldUnits, type SoldUnitsLedgerEntry, type SoldUnitsOrder } from "../../../app/core/orders/index.ts";

const order = (fields: Partial<SoldUnitsOrder> & Pick<SoldUnitsOrder, "id" | "status">): SoldUnitsOrder => ({
  platformOrderRef: fields.id,
  holdId: null,
  lines: [],
  oversoldLines: [],
  ...fields,
});
const entry = (fields: Partial<SoldUnitsLedgerEntry> & Pick<SoldUnitsLedgerEntry, "type">): SoldUnitsLedgerEntry => ({
  holdId: null,
  orderRef: null,
  customerRef: null,
  lines: [],
  ...fields,
});

describe("units sold per item", () => {
  it("counts every kind of sold order, and nothing for orders that sold nothing", () => {
    const counted = countSoldUnits(
      [
        order({ id: "co-h1", status: "placed", holdId: "h1", lines: [{ itemId: "a", quantity: 2 }] }),
        order({ id: "r2", platformOrderRef: "shop-2", status: "committed", holdId: "h2", lines: [{ itemId: "a", quantity: 1 }] }),
        order({ id: "r3", platformOrderRef: "woo-3", status: "taken", lines: [{ itemId: "b", quantity: 1 }] }),
        order({ id: "r4", platformOrderRef: "shop-4", status: "flagged", lines: [{ itemId: "b", quantity: 1 }] }),
        order({
          id: "r5",
          platformOrderRef: "shop-5",
          status: "oversold_on_platform",
          lines: [{ itemId: "b", quantity: 1 }],
          oversoldLines: [{ itemId: "b", quantity: 2 }],
        }),
        order({ id: "r6", platformOrderRef: "shop-6", status: "cancelled_after_sale", lines: [{ itemId: "a", quantity: 1 }] }),
        order({ id: "co-h7", status: "failed", holdId: "h7", lines: [{ itemId: "a", quantity: 5 }] }),
        order({ id: "r8", platformOrderRef: "shop-8", status: "cancelled", lines: [{ itemId: "a", quantity: 5 }] }),
        order({ id: "co-h9", status: "processing", holdId: "h9", lines: [{ itemId: "a", quantity: 5 }] }),
      ],
      [],
    );
    expect(Object.fromEntries(counted.sold)).toEqual({ a: 4, b: 3 });
    expect(Object.fromEntries(counted.oversold)).toEqual({ b: 2 });
    expect(counted.ledgerOnly.size).toBe(0);
  });

  it("adds ledger sales no sold order explains (by order reference, row id or committed hold), and only those", () => {
    const counted = countSoldUnits(
      [
        order({ id: "co-h1", platformOrderRef: "shop-1", status: "placed", holdId: "h1", lines: [{ itemId: "a", quantity: 2 }] }),
        order({ id: "co-h2", status: "processing", holdId: "h2", lines: [{ itemId: "a", quantity: 1 }] }),
      ],
      [
        entry({ type: "commit", holdId: "h1", orderRef: "shop-1", customerRef: "c1", lines: [{ itemId: "a", quantity: 2 }] }),
        // The processing checkout's commit: Redis sold it, SQL has not caught up.
        entry({ type: "commit", holdId: "h2", orderRef: "co-h2", customerRef: "c2", lines: [{ itemId: "a", quantity: 1 }] }),
        // A platform order whose SQL row was never written.
        entry({ type: "take", orderRef: "shop-9", customerRef: "c2", lines: [{ itemId: "b", quantity: 3 }] }),
        entry({ type: "oversell", orderRef: "shop-9", lines: [{ itemId: "b", quantity: 1 }] }),
        // Holds that never sold, and a recovery's own entries, count for nothing.
        entry({ type: "reserve", holdId: "h3", lines: [{ itemId: "a", quantity: 4 }] }),
        entry({ type: "restore_sold", lines: [{ itemId: "a", quantity: 9 }] }),
      ],
    );
    expect(Object.fromEntries(counted.sold)).toEqual({ a: 3, b: 3 });
    expect(Object.fromEntries(counted.ledgerOnly)).toEqual({ a: 1, b: 3 });
    expect(Object.fromEntries(counted.oversold)).toEqual({ b: 1 });
    expect(Object.fromEntries(counted.byCustomer)).toEqual({ c1: 2, c2: 4 });
    expect(Object.fromEntries(counted.recordedOrders)).toEqual({ "shop-1": "h1", "co-h2": "h2", "shop-9": "take" });
  });
});

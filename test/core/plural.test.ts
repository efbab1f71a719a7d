import { describe, expect, it } from "vitest";

import { counted } from "../../app/core/plural.ts";
import { recoveryNotice } from "../../app/drops/live.server.ts";

describe("counted phrases", () => {
  it("takes the English form Intl.PluralRules picks for 0, 1, 2 and 5", () => {
    expect([0, 1, 2, 5].map((n) => counted(n, { one: "{n} second", other: "{n} seconds" }))).toEqual(["0 seconds", "1 second", "2 seconds", "5 seconds"]);
  });

  it("speaks of holds and checkouts lost in a recovery in the right number", () => {
    const notice = (holdsLost: number, ordersFailed: number) =>
      recoveryNotice({
        saleId: "s",
        recoveredAt: Date.UTC(2026, 11, 1, 9),
        holdsLost,
        unitsHeldLost: holdsLost,
        items: [],
        ordersPlaced: 0,
        ordersRequeued: 0,
        ordersFailed,
      });
    expect(notice(1, 1)).toContain("1 hold in flight was lost; shoppers holding them must add again. 1 checkout in progress could not");
    expect(notice(2, 5)).toContain("2 holds in flight were lost; shoppers holding them must add again. 5 checkouts in progress could not");
  });
});

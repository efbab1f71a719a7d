import { describe, expect, it } from "vitest";

import { holdRequest, plainHoldRequest } from "../../../app/api/storefront/holds.ts";
import { LIMITS } from "../../../app/core/inventory/index.ts";

const line = { itemId: "shoe", quantity: 1 };
const requestId = "req-0001";

// Bodies the hand check must take as they are: what shoppers send.
const usual: unknown[] = [
  { lines: [line], requestId },
  { lines: [line], requestId, pass: "a.b.c" },
  { requestId, lines: [{ quantity: 3, itemId: "hat_2-B" }, line] },
  { lines: [{ itemId: "x".repeat(64), quantity: LIMITS.maxLineQuantity }], requestId: "~".repeat(128) },
  { lines: Array.from({ length: LIMITS.maxLines }, () => line), requestId, pass: "" },
];

// Bodies zod refuses, and a few it may take that the hand check leaves to it.
const unusual: unknown[] = [
  null,
  [],
  "body",
  42,
  {},
  { lines: [line] },
  { requestId },
  { lines: [], requestId },
  { lines: "shoe", requestId },
  { lines: [line], requestId: "short" },
  { lines: [line], requestId: "has space1" },
  { lines: [line], requestId: "é".repeat(10) },
  { lines: [line], requestId: "x".repeat(129) },
  { lines: [line], requestId: 12345678 },
  { lines: [line], requestId, pass: null },
  { lines: [line], requestId, pass: 1 },
  { lines: [line], requestId, pass: "x".repeat(2_049) },
  { lines: [line], requestId, extra: true },
  { lines: [line], requestId, __proto__: { lines: [line] } },
  JSON.parse('{"lines":[{"itemId":"shoe","quantity":1}],"requestId":"req-0001","__proto__":{}}'),
  { lines: [{ ...line, extra: 1 }], requestId },
  { lines: [{ itemId: "shoe" }], requestId },
  { lines: [{ quantity: 1 }], requestId },
  { lines: [{ itemId: "shoe", quantity: 0 }], requestId },
  { lines: [{ itemId: "shoe", quantity: -1 }], requestId },
  { lines: [{ itemId: "shoe", quantity: 1.5 }], requestId },
  { lines: [{ itemId: "shoe", quantity: "1" }], requestId },
  { lines: [{ itemId: "shoe", quantity: LIMITS.maxLineQuantity + 1 }], requestId },
  { lines: [{ itemId: "shoe", quantity: 1e9 }], requestId },
  { lines: [{ itemId: "", quantity: 1 }], requestId },
  { lines: [{ itemId: "x".repeat(65), quantity: 1 }], requestId },
  { lines: [{ itemId: "sh oe", quantity: 1 }], requestId },
  { lines: [null], requestId },
  { lines: [[]], requestId },
  { lines: Array.from({ length: LIMITS.maxLines + 1 }, () => line), requestId },
];

describe("the hold body's hand check", () => {
  it("takes the usual bodies and gives what zod gives", () => {
    for (const body of usual) {
      const parsed = holdRequest.safeParse(body);
      expect(parsed.success).toBe(true);
      const plain = plainHoldRequest(body);
      expect(plain).toEqual(parsed.data);
      // Same key order too: the lines go back to the shopper in the answer.
      expect(JSON.stringify(plain)).toBe(JSON.stringify(parsed.data));
    }
  });

  it("never takes a body zod refuses, and agrees with zod on any body it takes", () => {
    for (const body of unusual) {
      const plain = plainHoldRequest(body);
      const parsed = holdRequest.safeParse(body);
      if (plain !== null) {
        expect(parsed.success).toBe(true);
        expect(plain).toEqual(parsed.data);
      }
      if (!parsed.success) expect(plain).toBeNull();
    }
  });
});

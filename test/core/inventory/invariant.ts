import { expect } from "vitest";

import type { SaleSnapshot } from "../../../app/core/inventory/index.ts";

/** available + held + sold == allocated and every counter >= 0, for every item. */
export function expectInvariant(snapshot: SaleSnapshot | null): void {
  expect(snapshot).not.toBeNull();
  for (const [itemId, c] of Object.entries(snapshot?.items ?? {})) {
    expect({ itemId, sum: c.available + c.held + c.sold }).toEqual({ itemId, sum: c.allocated });
    expect(Math.min(c.allocated, c.available, c.held, c.sold), `counters of ${itemId}`).toBeGreaterThanOrEqual(0);
  }
}

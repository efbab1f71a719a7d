import { expect, it } from "vitest";

import { randomId } from "../../app/core/randomId.ts";

it("draws distinct 96-bit url-safe ids across pool refills", () => {
  const ids = Array.from({ length: 5_000 }, () => randomId());
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids.slice(0, 300)) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
});

import { describe, expect, it } from "vitest";

import { DEFAULT_RATE_LIMIT_RULES, rateLimitRulesFromEnv } from "../../../app/core/rate-limit/index.ts";

describe("rateLimitRulesFromEnv", () => {
  it("defaults to limits a crowd behind one address can live with", () => {
    expect(rateLimitRulesFromEnv({})).toEqual({
      joinPerAddress: { limit: 1_200, windowMs: 60_000 },
      statusPerAddress: { limit: 6_000, windowMs: 60_000 },
      joinPerSession: { limit: 20, windowMs: 60_000 },
      holdPerSession: { limit: 60, windowMs: 60_000 },
      holdUnitsPerAddress: 20,
    });
    expect(rateLimitRulesFromEnv({})).toEqual(DEFAULT_RATE_LIMIT_RULES);
  });

  it("takes each limit from its variable, per minute", () => {
    const rules = rateLimitRulesFromEnv({
      HOLDFAST_RATE_LIMIT_JOIN_PER_IP: " 5000 ",
      HOLDFAST_RATE_LIMIT_HOLD_PER_SESSION: "10",
      HOLDFAST_RATE_LIMIT_STATUS_PER_IP: "",
    });
    expect(rules.joinPerAddress).toEqual({ limit: 5_000, windowMs: 60_000 });
    expect(rules.holdPerSession).toEqual({ limit: 10, windowMs: 60_000 });
    expect(rules.statusPerAddress).toEqual({ limit: 6_000, windowMs: 60_000 });
  });

  it("takes the units per address from HOLDFAST_HOLD_UNITS_PER_ADDRESS, 0 for none, and names it when it is not a number", () => {
    expect(rateLimitRulesFromEnv({ HOLDFAST_HOLD_UNITS_PER_ADDRESS: "50" }).holdUnitsPerAddress).toBe(50);
    expect(rateLimitRulesFromEnv({ HOLDFAST_HOLD_UNITS_PER_ADDRESS: "0" }).holdUnitsPerAddress).toBe(0);
    for (const bad of ["-1", "lots", "2.5"])
      expect(() => rateLimitRulesFromEnv({ HOLDFAST_HOLD_UNITS_PER_ADDRESS: bad })).toThrow(/HOLDFAST_HOLD_UNITS_PER_ADDRESS/);
  });

  it("names the variable when a value is not a positive whole number", () => {
    for (const bad of ["0", "-5", "1.5", "lots", "1e3"]) {
      expect(() => rateLimitRulesFromEnv({ HOLDFAST_RATE_LIMIT_JOIN_PER_SESSION: bad })).toThrow(/HOLDFAST_RATE_LIMIT_JOIN_PER_SESSION/);
    }
  });
});

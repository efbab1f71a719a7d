import { describe, expect, it } from "vitest";

import { median, pairedRatio, roundRatios } from "../../bench/lib/rounds.ts";

const rounds = (...values: (number | null)[]) => values.map((value, index) => ({ round: index + 1, value }));

describe("bench rounds", () => {
  it("median takes the middle value, or the mean of the middle two, and 0 for none", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  it("pairs each round with the reference's same round before taking the median", () => {
    // Per round 0.8, 0.5 and 0.6: the median is 0.6, where a ratio of medians would say 100 / 200 = 0.5.
    expect(pairedRatio(rounds(80, 100, 180), rounds(100, 200, 300), (entry) => entry.value)).toBeCloseTo(0.6);
    expect(roundRatios(rounds(80, 100, 180), rounds(100, 200, 300), (entry) => entry.value)).toEqual([0.8, 0.5, 0.6]);
  });

  it("leaves out rounds either side lacks, a null figure and a zero reference", () => {
    const subject = [...rounds(50, null, 90), { round: 7, value: 10 }];
    const reference = rounds(100, 100, 0);
    expect(pairedRatio(subject, reference, (entry) => entry.value)).toBe(0.5);
    expect(pairedRatio(rounds(null), reference, (entry) => entry.value)).toBeNull();
  });
});

import { randomBytes } from "node:crypto";

import { expect, it } from "vitest";

import { roundKeys, shuffledPlace } from "../../../app/core/waiting-room/index.ts";

it("is a permutation of 1..size for every size", () => {
  const keys = roundKeys(randomBytes(16).toString("hex"));
  for (const size of [1, 2, 3, 5, 16, 17, 100, 257, 1_000, 4_097]) {
    const places = Array.from({ length: size }, (_, i) => shuffledPlace(i + 1, size, keys));
    expect(new Set(places).size).toBe(size);
    expect(Math.min(...places)).toBe(1);
    expect(Math.max(...places)).toBe(size);
  }
});

it("really shuffles: arrival order tells little about the place, and seeds differ", () => {
  const size = 2_000;
  const a = roundKeys(randomBytes(16).toString("hex"));
  const b = roundKeys(randomBytes(16).toString("hex"));
  const placesA = Array.from({ length: size }, (_, i) => shuffledPlace(i + 1, size, a));
  const placesB = Array.from({ length: size }, (_, i) => shuffledPlace(i + 1, size, b));
  // Spearman's rank correlation between arrival and place: ~0 for a fair shuffle, 1 for FIFO.
  const n = size;
  const sumD2 = placesA.reduce((sum, place, i) => sum + (place - (i + 1)) ** 2, 0);
  const rho = 1 - (6 * sumD2) / (n * (n * n - 1));
  expect(Math.abs(rho)).toBeLessThan(0.1);
  // The first tenth of arrivals should land all over the queue, not in its first tenth.
  const earlyInFront = placesA.slice(0, size / 10).filter((place) => place <= size / 10).length;
  expect(earlyInFront).toBeLessThan(size / 10 / 3);
  expect(placesA.filter((place, i) => place === placesB[i]).length).toBeLessThan(size / 50);
});

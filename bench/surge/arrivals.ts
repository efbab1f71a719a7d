import type { ArrivalCurve } from "./options.ts";

/**
 * When each simulated shopper arrives, in milliseconds after the run starts, ascending.
 * spike: all within `seconds` (uniformly, as a launch announcement does); ramp: the arrival
 * rate grows linearly from 0 over `seconds` (arrival i at seconds * sqrt(i / n)); steady: a
 * constant rate.
 */
export function arrivalTimes(curve: ArrivalCurve, shoppers: number, random: () => number): number[] {
  const times: number[] = [];
  for (let i = 0; i < shoppers; i++) {
    if (curve.kind === "spike") times.push(random() * curve.seconds * 1_000);
    else if (curve.kind === "ramp") times.push(curve.seconds * 1_000 * Math.sqrt((i + random()) / shoppers));
    else times.push(((i + random()) / curve.perSecond) * 1_000);
  }
  return times.sort((a, b) => a - b);
}

/** A small seeded generator (mulberry32), so a rehearsal can be repeated shopper for shopper. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

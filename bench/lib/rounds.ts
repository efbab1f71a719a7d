/** Figures over the rounds of one bench run: rounds interleave the systems, so ratios are paired by round. */

/** The middle value (the mean of the middle two for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * `subject` against `reference` round by round, then the median of those ratios, or null when no
 * round has both. A round runs every system within a minute or two, so its ratio cancels a machine
 * that got slower or faster between rounds (a bench:storefront ceiling moved 20% between the rounds
 * of one run); a ratio of medians would pair figures from different rounds. A round that either
 * side lacks, or where `pick` gives null or the reference 0, is left out.
 */
export function pairedRatio<Round extends { round: number }>(
  subject: readonly Round[],
  reference: readonly Round[],
  pick: (round: Round) => number | null,
): number | null {
  const ratios = roundRatios(subject, reference, pick);
  return ratios.length ? median(ratios) : null;
}

/** Each round's own ratio of `subject` to `reference`, in the order of `subject`'s rounds (see pairedRatio). */
export function roundRatios<Round extends { round: number }>(
  subject: readonly Round[],
  reference: readonly Round[],
  pick: (round: Round) => number | null,
): number[] {
  const referenceByRound = new Map(reference.map((entry) => [entry.round, pick(entry)]));
  const ratios: number[] = [];
  for (const entry of subject) {
    const value = pick(entry);
    const base = referenceByRound.get(entry.round);
    if (value !== null && base) ratios.push(value / base);
  }
  return ratios;
}

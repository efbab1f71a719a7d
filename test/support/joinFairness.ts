/** One join as a fairness check sees it: when it reached its process, and the place it got. */
export interface RecordedJoin {
  /** performance.now() when join() was called. */
  joinedAt: number;
  number: number;
  process: string;
}

/** The worst out-of-order pair: `first` got a lower number although it joined `byMs` after `second`. */
export interface Inversion {
  first: RecordedJoin;
  second: RecordedJoin;
  byMs: number;
}

/**
 * The largest inversion among all pairs of joins: over every pair where A got a lower number
 * than B, how much later A joined than B (0 when the numbers follow the joining order).
 * Sorted by number, the worst pair for each B is the latest joiner among those numbered
 * before it, so one pass finds it.
 */
export function worstInversion(joins: readonly RecordedJoin[]): Inversion | null {
  const byNumber = [...joins].sort((a, b) => a.number - b.number);
  let latestBefore: RecordedJoin | null = null;
  let worst: Inversion | null = null;
  for (const join of byNumber) {
    if (latestBefore !== null && latestBefore.joinedAt > join.joinedAt) {
      const byMs = latestBefore.joinedAt - join.joinedAt;
      if (worst === null || byMs > worst.byMs) worst = { first: latestBefore, second: join, byMs };
    }
    if (latestBefore === null || join.joinedAt > latestBefore.joinedAt) latestBefore = join;
  }
  return worst;
}

/** Redis stream ids, "<ms>-<seq>", compared and stepped as numbers (as strings they sort wrong). */

export function parseStreamId(id: string): [bigint, bigint] {
  const match = /^(\d+)-(\d+)$/.exec(id);
  if (!match?.[1] || !match[2]) throw new Error(`"${id}" is not a stream id`);
  return [BigInt(match[1]), BigInt(match[2])];
}

export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = parseStreamId(a);
  const [bMs, bSeq] = parseStreamId(b);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

/** The smallest id after `id`: XTRIM MINID with it drops `id` and everything before. */
export function nextStreamId(id: string): string {
  const [ms, seq] = parseStreamId(id);
  return `${ms}-${seq + 1n}`;
}

export function maxStreamId(ids: readonly string[]): string | null {
  let max: string | null = null;
  for (const id of ids) if (max === null || compareStreamIds(id, max) > 0) max = id;
  return max;
}

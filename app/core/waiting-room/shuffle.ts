/**
 * The pre-queue shuffle: a keyed permutation of 1..size, so each pre-queue ticket's place
 * after the start is computed from its number and the room's seed, with nothing stored per
 * shopper. A 4-round Feistel network over the smallest even-bit domain that covers `size`,
 * walked until the value falls inside the range, is a bijection on 1..size.
 */

const ROUNDS = 4;

function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function roundKeys(seedHex: string): number[] {
  const keys: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const chunk = seedHex.slice(round * 8, round * 8 + 8);
    keys.push(chunk.length === 8 ? Number.parseInt(chunk, 16) >>> 0 : mix32(round + 1));
  }
  return keys;
}

/** Place (1-based) of pre-queue number `number` among `size` pre-queue tickets. */
export function shuffledPlace(number: number, size: number, keys: readonly number[]): number {
  if (size <= 1) return number;
  let bits = Math.ceil(Math.log2(size));
  if (bits % 2 === 1) bits += 1;
  const half = bits / 2;
  const mask = 2 ** half - 1;
  let x = number - 1;
  do {
    let left = Math.floor(x / 2 ** half);
    let right = x & mask;
    for (const key of keys) {
      const next = (left ^ (mix32(right ^ key) & mask)) >>> 0;
      left = right;
      right = next;
    }
    x = left * 2 ** half + right;
  } while (x >= size);
  return x + 1;
}

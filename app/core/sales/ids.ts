import { randomBytes } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
// The largest multiple of the alphabet's size below 256: bytes above it are skipped, so
// every character is equally likely.
const UNBIASED_BELOW = 256 - (256 % ALPHABET.length);

/**
 * A short random id for a sale or an item: it appears in Redis keys and URLs. Letters and
 * digits only (a subset of what assertId allows), so an id never starts with '-' and is never
 * mistaken for a command-line option. 10 characters: about 59 bits.
 */
export function newId(length = 10): string {
  let id = "";
  while (id.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= UNBIASED_BELOW) continue;
      id += ALPHABET[byte % ALPHABET.length];
      if (id.length === length) break;
    }
  }
  return id;
}

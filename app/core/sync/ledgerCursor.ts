import { saleInventoryKeys } from "../keys.ts";
import type { RedisClient } from "../redis.ts";

/**
 * The id of the last entry ever added to the sale's ledger stream ("0-0" when there is no
 * stream). Every stock change appends an entry, so a new id means the stock may have changed.
 * XINFO reports it even after the ledger persister has trimmed the stream empty, which is why
 * it is read here rather than the last entry.
 */
export async function lastLedgerId(redis: RedisClient, saleId: string): Promise<string> {
  let info: unknown[];
  try {
    info = (await redis.xinfo("STREAM", saleInventoryKeys(saleId).ledger)) as unknown[];
  } catch (error) {
    if (error instanceof Error && /no such key/i.test(error.message)) return "0-0";
    throw error;
  }
  for (let i = 0; i + 1 < info.length; i += 2) {
    if (info[i] === "last-generated-id") return String(info[i + 1]);
  }
  return "0-0";
}

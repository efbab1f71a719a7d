import { decodeLines } from "./lineText.ts";
import type { Line } from "./types.ts";

export interface HoldRecord {
  customer: string;
  expiresAt: number;
  lines: Line[];
}

/**
 * Reads one value of a sale's holds hash, in either form lua/includes/holdRecord.lua reads:
 * "<expiresAt>\t<customer>\t<address>\t<lines>", or the earlier JSON object {c, e, l}.
 */
export function decodeHoldRecord(raw: string): HoldRecord {
  if (raw.startsWith("{")) {
    const hold = JSON.parse(raw) as { c?: string; e?: number; l?: [string, number][] };
    return { customer: hold.c ?? "", expiresAt: Number(hold.e), lines: (hold.l ?? []).map(([itemId, quantity]) => ({ itemId, quantity })) };
  }
  const [expiresAt = "", customer = "", , lines = ""] = raw.split("\t");
  return { customer, expiresAt: Number(expiresAt), lines: decodeLines(lines) };
}

import { decodeLines } from "../inventory/index.ts";
import type { LedgerEntry } from "./LedgerStore.ts";

/**
 * One raw stream entry as XRANGE returns it: id and flat field/value list. The fields are the
 * ones ledger.lua writes: t (type), at (ms), h (hold id), o (order ref), c (customer),
 * l (lines as "item:qty,..."); empty strings mean "none".
 */
export function parseLedgerEntry(streamId: string, fields: readonly string[]): LedgerEntry {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i] ?? "", fields[i + 1] ?? "");
  const optional = (name: string) => {
    const value = values.get(name);
    return value === undefined || value === "" ? null : value;
  };
  const at = Number(values.get("at"));
  return {
    streamId,
    type: values.get("t") ?? "unknown",
    // A ledger entry always has `at`; the stream id's time is the fallback for a damaged one.
    occurredAt: Number.isFinite(at) ? at : Number(streamId.split("-")[0]),
    holdId: optional("h"),
    orderRef: optional("o"),
    customerRef: optional("c"),
    lines: decodeLines(values.get("l") ?? ""),
  };
}

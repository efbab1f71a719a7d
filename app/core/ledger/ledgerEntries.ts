// Not the inventory index: HoldEngine imports this module, and the index imports HoldEngine.
import { decodeLines, encodeLines } from "../inventory/lineText.ts";
import type { LedgerEntry } from "./LedgerStore.ts";

/**
 * The ledger events of one raw stream entry as XRANGE returns it: id and flat field/value
 * list. The fields are the ones inventory/lua/includes/ledger.lua writes: t (type), at (ms),
 * h (hold id), o (order ref), c (customer), l (lines as "item:qty,..."); empty strings mean
 * "none". Most entries are one event. A batch (n, the number of events, present and above 1:
 * reserve.lua's holds of one call) lists one value per event in h, c and l, joined by "\n";
 * t, at and o are shared. The events are numbered by `part`, 0 for the first or only one.
 *
 * A replacement (written by `replacementFields` when a customer is forgotten) also has
 * `of`, the id of the entry it replaces, and `p`, its events' original part numbers: its
 * events keep the identity (streamId, part) they had, so what SQL already holds is not
 * stored twice.
 */
export function parseLedgerEntry(streamId: string, fields: readonly string[]): LedgerEntry[] {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i] ?? "", fields[i + 1] ?? "");
  const count = Math.max(1, Math.floor(Number(values.get("n") ?? 1)) || 1);
  // A single event's values are taken whole: only a batch splits them.
  const list = (name: string): string[] => {
    const value = values.get(name) ?? "";
    return count > 1 ? value.split("\n") : [value];
  };
  const orNull = (value: string | undefined) => (value === undefined || value === "" ? null : value);
  const holdIds = list("h");
  const customers = list("c");
  const lines = list("l");
  const parts = list("p");
  const replaces = orNull(values.get("of"));
  const at = Number(values.get("at"));
  // A ledger entry always has `at`; the stream id's time is the fallback for a damaged one.
  const occurredAt = Number.isFinite(at) ? at : Number(streamId.split("-")[0]);
  const type = values.get("t") ?? "unknown";
  const orderRef = orNull(values.get("o"));
  return Array.from({ length: count }, (_, index): LedgerEntry => {
    const part = replaces === null ? index : Number(parts[index]);
    return {
      streamId: replaces ?? streamId,
      part: Number.isInteger(part) ? part : index,
      type,
      occurredAt,
      holdId: orNull(holdIds[index]),
      orderRef,
      customerRef: orNull(customers[index]),
      lines: decodeLines(lines[index] ?? ""),
    };
  });
}

/**
 * The fields of an entry that stands for some events of one stream entry (its events
 * without a forgotten customer), in the form parseLedgerEntry reads back
 * under the events' original stream id and parts. `events` must come from one entry
 * (same type, time and order reference) and must not be empty.
 */
export function replacementFields(events: readonly LedgerEntry[]): string[] {
  const first = events[0];
  if (first === undefined) throw new Error("a replacement ledger entry needs at least one event");
  const joined = (value: (event: LedgerEntry) => string) => events.map(value).join("\n");
  const fields = [
    "t",
    first.type,
    "at",
    String(first.occurredAt),
    "h",
    joined((event) => event.holdId ?? ""),
    "o",
    first.orderRef ?? "",
    "c",
    joined((event) => event.customerRef ?? ""),
    "l",
    joined((event) => encodeLines(event.lines)),
  ];
  if (events.length > 1) fields.push("n", String(events.length));
  fields.push(
    "of",
    first.streamId,
    "p",
    joined((event) => String(event.part)),
  );
  return fields;
}

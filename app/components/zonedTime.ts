/**
 * Schedules are entered as wall-clock times in the shop's time zone (Shopify's ianaTimezone)
 * and stored as UTC milliseconds. Intl does the zone arithmetic, so no time zone data ships
 * with the app. Runs in the browser and on the server alike.
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    partsFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

let listed: readonly string[] | null = null;

/**
 * The IANA zones the time zone picker offers: this runtime's list (Intl.supportedValuesOf),
 * plus UTC, which some runtimes list only as an alias. The server checks a chosen zone
 * against its own list, so a zone it cannot compute with is refused, never guessed.
 */
export function timeZoneNames(): readonly string[] {
  if (listed === null) {
    const names = Intl.supportedValuesOf("timeZone");
    listed = names.includes("UTC") ? names : ["UTC", ...names];
  }
  return listed;
}

/** A zone of the list, or another name of one (ICU lists "Asia/Calcutta" where Shopify says "Asia/Kolkata"). */
export function isListedTimeZone(timeZone: string): boolean {
  if (!isTimeZone(timeZone)) return false;
  return timeZoneNames().includes(timeZone) || timeZoneNames().includes(partsFormatter(timeZone).resolvedOptions().timeZone);
}

/** The wall clock in `timeZone` at `utcMs`, as numbers. */
function wallClock(utcMs: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(new Date(utcMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return { year: parts.year ?? 0, month: parts.month ?? 1, day: parts.day ?? 1, hour: parts.hour ?? 0, minute: parts.minute ?? 0, second: parts.second ?? 0 };
}

/** Milliseconds the zone's wall clock is ahead of UTC at `utcMs`. */
function offsetAt(utcMs: number, timeZone: string): number {
  const wall = wallClock(utcMs, timeZone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - Math.floor(utcMs / 1000) * 1000;
}

const pad = (value: number) => String(value).padStart(2, "0");

/** "2026-12-01T18:00" in `timeZone` (the value of an <input type="datetime-local">). */
export function toZonedInput(utcMs: number, timeZone: string): string {
  const wall = wallClock(utcMs, timeZone);
  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}`;
}

export type ZonedParse = { ok: true; utcMs: number } | { ok: false; reason: "format" | "gap" };

/**
 * The UTC instant of a wall-clock time in `timeZone`. A time skipped when clocks go forward
 * is refused ("gap"); a time that happens twice when they go back is the first of the two.
 */
export function fromZonedInput(local: string, timeZone: string): ZonedParse {
  const match = LOCAL.exec(local.trim());
  if (!match) return { ok: false, reason: "format" };
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute);
  if (new Date(wallAsUtc).getUTCDate() !== day || hour > 23 || minute > 59) return { ok: false, reason: "format" };
  // Two candidates: with the offset before and after a possible change around that time.
  const candidates = [wallAsUtc - offsetAt(wallAsUtc - 86_400_000, timeZone), wallAsUtc - offsetAt(wallAsUtc + 86_400_000, timeZone)];
  const matching = candidates.filter((utcMs) => toZonedInput(utcMs, timeZone) === `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}`);
  if (matching.length === 0) return { ok: false, reason: "gap" };
  return { ok: true, utcMs: Math.min(...matching) };
}

/** "Dec 1, 2026, 18:00 CET" for lists and dashboards. */
export function formatInZone(utcMs: number | null, timeZone: string): string {
  if (utcMs === null) return "Not scheduled";
  // dateStyle cannot be combined with timeZoneName, so the fields are spelled out.
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(new Date(utcMs));
}

// How the write-back records what a platform was last confirmed to hold (the `written` hash
// of writeBackKeys in core/keys.ts).
/** "<available>|<ref>" <-> {available, ref}: a changed reference counts as never written. */
export function writtenValue(available: number, platformRef: string): string {
  return `${available}|${platformRef}`;
}

export function parseWrittenValue(raw: string | undefined | null): { available: number; ref: string } | null {
  if (!raw) return null;
  const bar = raw.indexOf("|");
  const available = Number(raw.slice(0, bar));
  return bar > 0 && Number.isSafeInteger(available) ? { available, ref: raw.slice(bar + 1) } : null;
}

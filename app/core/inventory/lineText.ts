import type { Line } from "./types.ts";

/** Parses the "item:qty,item:qty" form the scripts write (lua/includes/lineText.lua). */
export function decodeLines(encoded: string): Line[] {
  if (encoded === "") return [];
  return encoded.split(",").map((part) => {
    const separator = part.lastIndexOf(":");
    return { itemId: part.slice(0, separator), quantity: Number(part.slice(separator + 1)) };
  });
}

/** The same form, written (as lua/includes/lineText.lua's encodeLines does). */
export function encodeLines(lines: readonly Line[]): string {
  return lines.map((line) => `${line.itemId}:${line.quantity}`).join(",");
}

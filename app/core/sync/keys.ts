import { createHash } from "node:crypto";

import { saleTag } from "../keys.ts";

/**
 * Write-back state lives in Redis next to the sale's stock (same hash tag `{s:<saleId>}`, so
 * one Cluster slot), and survives a worker restart: nothing is kept only in a process.
 */
export interface WriteBackKeys {
  /** hash: itemId -> "<available>|<platformRef>", what the platform was last confirmed to hold from us (or reported) */
  written: string;
  /** string: the ledger stream's last id when the last complete flush read the stock */
  cursor: string;
  /** hash: itemId -> why the platform refused it (fixed by the merchant, then `reconcile --repair`) */
  refused: string;
  /** counter: flush attempts, part of each idempotency key */
  sequence: string;
  /** string: token of the flush running now (one flush per sale at a time) */
  lock: string;
}

export function writeBackKeys(saleId: string): WriteBackKeys {
  const prefix = `hf:${saleTag(saleId)}:wb:`;
  return { written: `${prefix}written`, cursor: `${prefix}cursor`, refused: `${prefix}refused`, sequence: `${prefix}seq`, lock: `${prefix}lock` };
}

/**
 * The values recently written to one platform reference of a store (echo protection): a
 * sorted set of values scored by when they stop counting. Hash-tagged by store; the reference
 * is digested (platform refs carry characters that have no business in a key).
 */
export function echoKey(storeId: string, platformRef: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(storeId)) throw new RangeError(`store id ${JSON.stringify(storeId)} cannot be part of a key`);
  return `hf:{e:${storeId}}:echo:${createHash("sha256").update(platformRef).digest("hex").slice(0, 32)}`;
}

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

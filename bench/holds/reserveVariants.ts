import { fileURLToPath } from "node:url";

import { inventoryScriptKeys } from "../../app/core/inventory/index.ts";
import { holdRequestCounterKey } from "../../app/core/keys.ts";
import { readLuaScript } from "../../app/core/luaScripts.ts";
import { CHECK_AND_DECREMENT_LUA } from "./evalEveryCall.ts";

/**
 * reserve.lua and variants of it with one piece removed, for the benchmarks that price the
 * pieces (bench/holdsProfile.ts by time, bench/reserveCost.ts by instructions).
 */

export const TTL_MS = 10 * 60 * 1_000;
const LUA_DIRECTORY = new URL("../../app/core/inventory/lua/", import.meta.url);

/** Replaces `from` exactly once, so a change in reserve.lua makes the profile fail loudly instead of lying. */
function edit(script: string, from: string, to: string): string {
  const at = script.indexOf(from);
  if (at < 0 || script.indexOf(from, at + 1) >= 0) throw new Error(`reserve.lua changed: cannot find exactly one "${from.slice(0, 60)}"`);
  return script.slice(0, at) + to + script.slice(at + from.length);
}

export const EDITS = {
  // Each hold's ledger record: without them the call's one ledger XADD (and its text) is skipped.
  ledger: (s: string) =>
    edit(s, "  ledgerHolds[#ledgerHolds + 1] = holdId\n  ledgerCustomers[#ledgerCustomers + 1] = customer\n  ledgerLines[#ledgerLines + 1] = linesText\n", ""),
  holdEncoding: (s: string) => edit(s, "= holdRecordText(expiresAt, customer, addressField, linesText)", "= customer"),
  expiryIndex: (s: string) => edit(s, "  redis.call('ZADD', expiryKey, unpack(reminders))\n", ""),
  idempotency: (s: string) =>
    edit(
      edit(s, "if #requestKeys > 0 then previousIds = redis.call('HMGET', requestsKey, unpack(requestKeys)) end", ""),
      "  redis.call('HSET', requestsKey, unpack(newRequests))\n",
      "",
    ),
  holdRecord: (s: string) => edit(s, "  redis.call('HSET', holdsKey, unpack(newHolds))\n", ""),
};

export interface ScriptVariant {
  name: string;
  script: string;
  /** "sale": the sale's keys and reserve's ARGV for `perCall` requests; "one": one counter key and ARGV {1}. */
  shape: "sale" | "one";
  reclaim: number;
  /** Requests carried by one call (reserve.lua serves a batch per call); 1 for "one". */
  perCall: number;
  /** Every request must add one held unit (checked after the run). */
  holds?: boolean;
}

export function scriptVariants(): ScriptVariant[] {
  const full = readLuaScript(fileURLToPath(LUA_DIRECTORY), "reserve");
  const without = (...names: (keyof typeof EDITS)[]): string => names.reduce((script, name) => EDITS[name](script), full);
  const batch = 16;
  return [
    { name: "reserve.lua as shipped, 1 request per call", script: full, shape: "sale", reclaim: 20, perCall: 1, holds: true },
    { name: "  1 request per call, reclaim batch 0", script: full, shape: "sale", reclaim: 0, perCall: 1, holds: true },
    { name: `reserve.lua as shipped, ${batch} requests per call`, script: full, shape: "sale", reclaim: 20, perCall: batch, holds: true },
    { name: "  64 requests per call", script: full, shape: "sale", reclaim: 20, perCall: 64, holds: true },
    { name: `  ${batch}/call without ledger XADD`, script: without("ledger"), shape: "sale", reclaim: 20, perCall: batch, holds: true },
    { name: `  ${batch}/call without encoding the hold record`, script: without("holdEncoding"), shape: "sale", reclaim: 20, perCall: batch, holds: true },
    { name: `  ${batch}/call without expiry ZADD`, script: without("expiryIndex"), shape: "sale", reclaim: 20, perCall: batch, holds: true },
    { name: `  ${batch}/call without requestId HMGET+HSET`, script: without("idempotency"), shape: "sale", reclaim: 20, perCall: batch, holds: true },
    { name: `  ${batch}/call without the hold record HSET`, script: without("holdRecord"), shape: "sale", reclaim: 20, perCall: batch, holds: true },
    { name: "  'return 1' with the sale's keys, 1 request", script: "return 1", shape: "sale", reclaim: 20, perCall: 1 },
    { name: "  'return 1' with 1 key/1 arg", script: "return 1", shape: "one", reclaim: 0, perCall: 1 },
    { name: "minimal check-and-decrement (the ceiling script)", script: CHECK_AND_DECREMENT_LUA, shape: "one", reclaim: 0, perCall: 1 },
  ];
}

/** redis-benchmark's EVALSHA of reserve.lua carrying `perCall` one-unit requests with random ids. */
export function reserveCommand(sha: string, saleId: string, run: string, reclaim: number, perCall: number): string[] {
  const keys = inventoryScriptKeys(saleId);
  const requests: string[] = [];
  const now = Date.now();
  const expiresAt = String(now + TTL_MS);
  for (let index = 0; index < perCall; index++) {
    keys.push(holdRequestCounterKey(saleId, "-"));
    const id = `${run}.${index}`;
    requests.push(`h${id}__rand_int____rand_int__`, `c${id}__rand_int__`, `k${id}__rand_int____rand_int__`, expiresAt, "", "1", "hot", "1");
  }
  return ["EVALSHA", sha, String(keys.length), ...keys, String(now), String(reclaim), ...requests];
}

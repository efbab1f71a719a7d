/**
 * What the storefront benchmarks (bench/storefront.ts, bench/scale.ts, bench/soak.ts) share
 * to set up a run: the app's node flags, a sale, and tickets through the real API.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import type { HoldEngine } from "../../app/core/inventory/index.ts";
import type { AdmissionMode, RoomSettings, WaitingRoom } from "../../app/core/waiting-room/index.ts";
import type { Cleanup } from "../lib/cleanup.ts";
import { BenchChild } from "./children.ts";
import type { Credential, LoadResult, LoadSpec } from "./protocol.ts";

/** The `--flag` words of package.json's start script between `node` and `--import`. */
export function startScriptNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { scripts?: { start?: string } };
  const words = (manifest.scripts?.start ?? "").split(/\s+/);
  if (words[0] !== "node") return [];
  const flags: string[] = [];
  for (const word of words.slice(1)) {
    if (!word.startsWith("--") || word === "--import") break;
    flags.push(word);
  }
  return flags;
}

/** A sale with one item in Redis (stock and room), live or in pre-queue; admission `mode` "off" needs no pass to hold. */
export async function defineBenchSale(
  engines: { holds: HoldEngine; room: WaitingRoom },
  saleId: string,
  itemId: string,
  options: { mode: AdmissionMode; state: "live" | "prequeue"; allocation: number; holdMinutes?: number },
): Promise<string> {
  await engines.holds.defineSale(saleId, { perCustomerLimit: 0, items: [{ itemId, allocation: options.allocation }] });
  const settings: RoomSettings = {
    mode: options.mode,
    perMinute: options.mode === "off" ? null : 600,
    maxActive: null,
    passMinutes: 10,
    holdMinutes: options.holdMinutes ?? 10,
    storeId: null,
    prequeueAt: null,
    startsAt: null,
    endsAt: null,
  };
  await engines.room.configure(saleId, settings, options.state === "prequeue" ? "prequeue" : "scheduled");
  if (options.state === "live") {
    const moved = await engines.room.transition(saleId, "live");
    if (moved.outcome !== "ok") throw new Error(`sale ${saleId} did not go live: ${JSON.stringify(moved)}`);
  }
  return saleId;
}

export async function call(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; text: string; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: reported through `text`
  }
  return { status: response.status, text, json };
}

export function newSession(): string {
  return randomBytes(18).toString("base64url");
}

export async function prepareTickets(base: string, saleId: string, count: number): Promise<Credential[]> {
  const credentials: Credential[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const session = newSession();
      const answer = await call(base, "POST", `/v1/sales/${saleId}/tickets`, { "x-holdfast-session": session });
      if (answer.status !== 201 || typeof answer.json.ticket !== "string")
        throw new Error(`join for the status row answered ${answer.status}: ${answer.text.slice(0, 300)}`);
      credentials.push({ session, ticket: answer.json.ticket });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return credentials;
}

/** One load generator run (bench/storefront/loadgen.ts, its own process) of `spec`; resolves with its result. */
export async function runLoadgen(dir: string, spec: LoadSpec, scope: Cleanup): Promise<LoadResult> {
  const specFile = join(dir, `spec-${spec.kind}-${Date.now()}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  const loadgen = new BenchChild(`load generator (${spec.kind})`, { script: "bench/storefront/loadgen.ts", args: [specFile], env: process.env });
  scope.add(`stop ${loadgen.name}`, () => loadgen.stop());
  const { result } = await loadgen.waitFor("result", (spec.warmupSeconds + spec.seconds) * 1_000 + 90_000);
  return result;
}

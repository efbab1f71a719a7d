// The join floor (bench/storefront/ceiling.ts, BENCH_CEILING_MODE=join-floor): bench:storefront's
// diagnostic row for what any join could reach. Its answers must be what a join answers: a ticket
// signed per request, numbered in order and bound to the shopper's session; else the row would
// bound the wrong work.
import { afterEach, expect, it } from "vitest";

import { BenchChild } from "../../bench/storefront/children.ts";
import { sessionBinding } from "../../app/core/tokens/index.ts";

const children: BenchChild[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop()));
});

function startFloor(mode: string): BenchChild {
  const child = new BenchChild(`ceiling server (${mode})`, { script: "bench/storefront/ceiling.ts", env: { ...process.env, BENCH_CEILING_MODE: mode } });
  children.push(child);
  return child;
}

function claimsOf(ticket: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(ticket.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

it("answers each join with its own signed ticket, numbered in order and bound to the session", { timeout: 60_000 }, async () => {
  const ready = await startFloor("join-floor").waitFor("ready", 50_000);
  const join = async (session: string) => {
    const response = await fetch(`http://127.0.0.1:${ready.port}/v1/sales/floor/tickets`, { method: "POST", headers: { "x-holdfast-session": session } });
    return { status: response.status, body: (await response.json()) as { ticket: string; session: string; position: number } };
  };
  const first = await join("floor-session-aaaaaaaa");
  const second = await join("floor-session-bbbbbbbb");

  expect(first.status).toBe(201);
  expect(first.body.ticket.split(".")).toHaveLength(3);
  expect(claimsOf(first.body.ticket)).toMatchObject({ typ: "ticket", k: "q", n: 1, sh: sessionBinding("floor-session-aaaaaaaa") });
  expect(claimsOf(second.body.ticket)).toMatchObject({ typ: "ticket", k: "q", n: 2, sh: sessionBinding("floor-session-bbbbbbbb") });
  expect([first.body.position, second.body.position]).toEqual([1, 2]);
  expect(first.body.ticket.split(".")[2]).not.toBe(second.body.ticket.split(".")[2]);
});

it("refuses a mode it does not know, naming the ones it does", { timeout: 60_000 }, async () => {
  const child = startFloor("join-flour");
  expect(await child.waitForExit(50_000)).toBe(true);
  expect(child.lastStderr().join("\n")).toContain('BENCH_CEILING_MODE: unknown mode "join-flour" (use fixed or join-floor)');
});

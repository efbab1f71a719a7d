/**
 * What each step of a storefront request costs in CPU, in this process, without HTTP or
 * Redis: the app's own functions called in a loop (microseconds per call, median of 5 runs
 * of `BENCH_STEP_ITERATIONS`, default 200,000). Pairs with the bench's "server us/req" column:
 * the ceiling row shows what node:http itself costs per request, this shows what the app
 * adds on top before any Redis round trip.
 *
 *   npx tsx bench/storefront/steps.ts
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";

import { addressBucket, clientAddress, trustedProxies } from "../../app/api/clientAddress.ts";
import { verifyTicket } from "../../app/api/storefront/status.ts";
import { newKeyring } from "../../app/core/secrets/index.ts";
import { LocalRateLimiter } from "../../app/core/rate-limit/index.ts";
import { sessionBinding, signToken, VerifiedTokenCache, verifyToken } from "../../app/core/tokens/index.ts";
import { shopperStatus, type RoomView, type TicketClaims } from "../../app/core/waiting-room/index.ts";
import { envInteger } from "../lib/results.ts";
import { formatTable } from "../lib/table.ts";

const iterations = envInteger("BENCH_STEP_ITERATIONS", 200_000, 1_000, 100_000_000);

let sink = 0;
function consume(value: unknown): void {
  if (value !== undefined) sink += 1;
}

function microsPerCall(step: (i: number) => unknown): number {
  const runs: number[] = [];
  for (let run = 0; run < 6; run++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) consume(step(i));
    const micros = Number(process.hrtime.bigint() - started) / 1_000 / iterations;
    if (run > 0) runs.push(micros); // the first run warms the JIT
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)]!;
}

const keyring = newKeyring();
const saleId = "bench-sale";
const now = Date.now();
const sessions = Array.from({ length: 1_000 }, () => randomBytes(18).toString("base64url"));
const tickets = sessions.map((session, n) =>
  signToken({ typ: "ticket", s: saleId, sh: sessionBinding(session), k: "q", n: n + 1, iat: Math.floor(now / 1_000) } satisfies TicketClaims, keyring),
);
const view: RoomView = {
  state: "live",
  mode: "rate",
  perMinute: 600,
  maxActive: 0,
  passMs: 600_000,
  holdMs: 600_000,
  storeId: null,
  holdsThroughStoreOnly: false,
  prequeueAt: null,
  startsAt: null,
  endsAt: null,
  prequeued: 0,
  issued: 1_000,
  serving: 0,
  seedKeys: [1, 2, 3, 4],
  soldOut: false,
  batches: [],
};
const claims = verifyToken<TicketClaims & { [claim: string]: unknown }>(tickets[0]!, keyring, { type: "ticket", now });
const req = { socket: { remoteAddress: "127.0.0.1" }, headers: {} } as unknown as IncomingMessage;
const noProxies = trustedProxies([]);
const limiter = new LocalRateLimiter();
const rule = { limit: 999_999_999, windowMs: 60_000 };
const statusBody = { state: "waiting", position: 1, ahead: 0, etaSeconds: 1, refreshAfter: 2, paused: false, passRequired: true };
const secret = keyring.current.secret;
const ticketCache = new VerifiedTokenCache<TicketClaims>({ type: "ticket" });

const steps: [string, (i: number) => unknown][] = [
  ["status: verifyTicket, repeat poll (cache hit + checks)", (i) => verifyTicket(ticketCache, tickets[i % 1_000]!, keyring, saleId, sessions[i % 1_000]!, now)],
  [
    "status: verifyTicket, first poll (verifyToken + sessionBinding + checks)",
    (i) => verifyTicket(new VerifiedTokenCache<TicketClaims>({ type: "ticket" }), tickets[i % 1_000]!, keyring, saleId, sessions[i % 1_000]!, now),
  ],
  ["  verifyToken alone (shape regex, header compare, claims decode, HMAC)", (i) => verifyToken(tickets[i % 1_000]!, keyring, { type: "ticket", now })],
  ["  sessionBinding alone (one-shot sha256 as text)", (i) => sessionBinding(sessions[i % 1_000]!)],
  [
    "  createHmac(sha256).update().digest() alone",
    (i) =>
      createHmac("sha256", secret)
        .update(tickets[i % 1_000]!)
        .digest("base64url"),
  ],
  [
    "  createHash(sha256).update().digest() alone",
    (i) =>
      createHash("sha256")
        .update(sessions[i % 1_000]!)
        .digest(),
  ],
  ["status: shopperStatus (live, rate, waiting)", () => shopperStatus(view, claims, now)],
  ["status: clientAddress + addressBucket (no trusted proxies)", () => addressBucket(clientAddress(req, noProxies))],
  ["  trustedProxies([]).has (BlockList.check)", () => noProxies.has("127.0.0.1")],
  ["status: LocalRateLimiter.hit (one address)", () => limiter.hit("status:ip:127.0.0.1", rule)],
  ["status: JSON.stringify(answer) + Buffer.byteLength", () => Buffer.byteLength(JSON.stringify(statusBody))],
  ["join/holds: signToken (ticket)", (i) => signToken({ typ: "ticket", s: saleId, sh: "x".repeat(22), k: "q", n: i, iat: 1 }, keyring)],
];

const rows = steps.map(([name, step]) => [name, microsPerCall(step).toFixed(2)]);
console.log(formatTable(["step", "us/call"], rows));
console.log(
  `(${iterations.toLocaleString("en-US")} calls per run, median of 5 runs after a warm-up run; node ${process.version}; sink ${sink > 0 ? "ok" : "empty"})`,
);

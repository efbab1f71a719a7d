/**
 * The ceiling: bare node:http answering every request with one fixed JSON body (a real
 * status answer captured by the parent, so size and headers match what the status row sends),
 * in its own process. Reports {"type":"ready","port":N} on stdout, and its own view of the
 * timed window when asked (serverWindow.ts).
 *
 * With BENCH_CEILING_MODE=join-floor it is instead the least any join design must do, with no
 * Redis, no router and no limits: take the next number from a counter in memory, bind the
 * shopper's session, sign a ticket with the app's own signToken and answer the join's JSON
 * (the "joinfloor" diagnostic row). Its rate against the ceiling's bounds what a join could
 * reach on this bench, whatever it does about Redis.
 *
 * Env: BENCH_CEILING_BODY (the JSON text to answer with), BENCH_CEILING_MODE (fixed | join-floor).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { sendJson } from "../../app/api/respond.ts";
import { newKeyring } from "../../app/core/secrets/index.ts";
import { sessionBinding, signToken } from "../../app/core/tokens/index.ts";
import type { TicketClaims } from "../../app/core/waiting-room/index.ts";
import type { ChildMessage } from "./protocol.ts";
import { reportServerWindow } from "./serverWindow.ts";

function send(message: ChildMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const body = Buffer.from(
  process.env.BENCH_CEILING_BODY ?? '{"state":"waiting","position":1,"ahead":0,"etaSeconds":1,"refreshAfter":2,"paused":false,"passRequired":true}',
);
// The same headers the app's sendJson() writes.
const headers = {
  "content-type": "application/json; charset=utf-8",
  "content-length": body.length,
  "cache-control": "no-store",
};

function answerFixed(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, headers);
  res.end(body);
}

const keyring = newKeyring();
let lastNumber = 0;

function answerJoinFloor(req: IncomingMessage, res: ServerResponse): void {
  const session = String(req.headers["x-holdfast-session"] ?? "");
  const number = ++lastNumber;
  const claims = { typ: "ticket", s: "floor", sh: sessionBinding(session), k: "q", n: number, iat: Math.floor(Date.now() / 1_000) } satisfies TicketClaims;
  // The app's own writer, so the floor's answer costs what the join's does.
  sendJson(res, 201, {
    ticket: signToken(claims, keyring),
    session,
    state: "waiting",
    position: number,
    ahead: number - 1,
    etaSeconds: number,
    refreshAfter: 30,
  });
}

const mode = process.env.BENCH_CEILING_MODE?.trim() || "fixed";
if (mode !== "fixed" && mode !== "join-floor") throw new Error(`BENCH_CEILING_MODE: unknown mode "${mode}" (use fixed or join-floor)`);
const server = createServer(mode === "join-floor" ? answerJoinFloor : answerFixed);
reportServerWindow(server, send);
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

const stop = (): void => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop).resume();

server.once("error", (error: Error) => {
  send({ type: "fatal", message: error.message });
  process.exit(1);
});
server.listen(0, "127.0.0.1", () => send({ type: "ready", port: (server.address() as AddressInfo).port, pid: process.pid }));

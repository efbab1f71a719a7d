/**
 * The ceiling: bare node:http answering every request with one fixed JSON body (a real
 * status answer captured by the parent, so size and headers match what the status row sends),
 * in its own process. Reports {"type":"ready","port":N} on stdout, and its own view of the
 * timed window when asked (serverWindow.ts).
 *
 * Env: BENCH_CEILING_BODY (the JSON text to answer with).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

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

const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
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

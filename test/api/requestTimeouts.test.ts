import { randomBytes } from "node:crypto";
import { connect, type AddressInfo, type Socket } from "node:net";
import type { Server } from "node:http";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildApp } from "../../app/composition/web.server.ts";
import { readJson } from "../../app/api/body.ts";
import { sendJson } from "../../app/api/respond.ts";
import type { Logger, LogFields } from "../../app/core/logger.ts";
import { createHttpServer } from "../../app/server.ts";
import { freshDatabase } from "../db/databases.ts";
import { testRedisConfig } from "../support/redis.ts";

// Issue #12: request bodies timed out only after Node's default 300 s, so slow-body clients
// held sockets; aborted bodies were logged as errors.

const logs: { level: string; message: string; fields: LogFields }[] = [];
const logger: Logger = {
  info: (message, fields = {}) => logs.push({ level: "info", message, fields }),
  warn: (message, fields = {}) => logs.push({ level: "warn", message, fields }),
  error: (message, fields = {}) => logs.push({ level: "error", message, fields }),
  debug: (message, fields = {}) => logs.push({ level: "debug", message, fields }),
};

let server: Server;
let port: number;
let bodiesBeingRead = 0;
beforeAll(async () => {
  server = createHttpServer({
    readiness: [],
    routes: [
      {
        method: "POST",
        path: "/v1/echo",
        handler: async ({ req, res }) => {
          bodiesBeingRead++;
          sendJson(res, 200, await readJson(req));
        },
      },
    ],
    logger,
    // Short limits so the test needs a second, not the production few seconds.
    timeouts: { headersMs: 400, requestMs: 800, checkEveryMs: 100 },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A raw client: what it got back and when the server closed the socket. */
function rawClient(): { socket: Socket; received: () => string; closed: Promise<number> } {
  const socket = connect(port, "127.0.0.1");
  const started = Date.now();
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
  socket.on("error", () => undefined);
  const closed = new Promise<number>((resolve) => socket.on("close", () => resolve(Date.now() - started)));
  return { socket, received: () => text, closed };
}

describe("request timeouts", () => {
  it("answers 408 and frees the socket when the body stops coming", async () => {
    const client = rawClient();
    client.socket.write('POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
    // The server's own timeout answers and closes the socket (the client never would).
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(logs.filter((entry) => entry.level === "error")).toEqual([]);
  });

  it("frees the socket when the headers stop coming", async () => {
    const client = rawClient();
    client.socket.write("POST /v1/echo HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("leaves idle keep-alive connections alone: the limits count only while a request arrives", async () => {
    const client = rawClient();
    const ask = () => client.socket.write('POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}');
    ask();
    await expect.poll(() => client.received()).toMatch(/HTTP\/1\.1 200 [\s\S]*\{"a":1\}$/);
    // Idle for longer than both limits, then a second request on the same socket.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    ask();
    await expect.poll(() => client.received().match(/HTTP\/1\.1 200 /g)?.length ?? 0).toBe(2);
    client.socket.destroy();
  });

  it("logs a client that hangs up mid-body at debug level, not as an error", async () => {
    const before = logs.length;
    const reading = bodiesBeingRead;
    const client = rawClient();
    client.socket.write('POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
    // The route is reading the body when the client hangs up.
    await expect.poll(() => bodiesBeingRead).toBe(reading + 1);
    client.socket.destroy();
    await expect.poll(() => logs.slice(before).map((entry) => `${entry.level}: ${entry.message}`)).toEqual(["debug: request aborted by the client"]);
  });

  it("the app's server uses the production limits: a few seconds, checked every second", async () => {
    const database = await freshDatabase("sqlite");
    const app = buildApp({ redis: testRedisConfig(), databaseUrl: database.url, logger, env: { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64") } });
    try {
      expect([app.server.headersTimeout, app.server.requestTimeout]).toEqual([5_000, 10_000]);
    } finally {
      await app.close();
      await database.drop();
    }
  });
});

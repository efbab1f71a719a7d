import { createServer, request, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";

import { afterAll, beforeAll, expect, it } from "vitest";

import { readRaw } from "../../app/api/body.ts";
import { HttpError } from "../../app/api/HttpError.ts";

// readRaw reads with listeners, not `for await`: it must still give the exact bytes, refuse
// what is over the limit, and never leave a read waiting on a request that is already gone.

const LIMIT = 1_024;
let server: Server;
let base: string;
const lateReads: Promise<string>[] = [];
let lateArrived = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/late") {
      lateArrived++;
      // Reads only once the client has gone: the answer must come at once, not never.
      req.once("close", () =>
        lateReads.push(
          readRaw(req, LIMIT).then(
            () => "read",
            (error: { code?: string }) => String(error.code),
          ),
        ),
      );
      return;
    }
    readRaw(req, LIMIT).then(
      (body) => res.writeHead(200, { "content-type": "application/octet-stream" }).end(body),
      (error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        res.writeHead(status, { connection: "close" }).end(error instanceof HttpError ? error.code : "failed");
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Sends `parts` as a chunked body, one write each; answers the status and body. */
function sendChunked(parts: Buffer[]): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/echo`, { method: "POST" }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    // The server may answer 413 and close before the whole body is out.
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error)));
    for (const part of parts) req.write(part);
    req.end();
  });
}

it("gives the body byte for byte however it is split", async () => {
  const parts = Array.from({ length: 40 }, (_, i) => Buffer.from([i, 0xff, 0x00, 0xc3]));
  const answer = await sendChunked(parts);
  expect(answer.status).toBe(200);
  expect(answer.body.equals(Buffer.concat(parts))).toBe(true);
  expect((await sendChunked([])).body.length).toBe(0);
});

it("refuses a chunked body over the limit with 413 body_too_large", async () => {
  const answer = await sendChunked(Array.from({ length: 8 }, () => Buffer.alloc(200, 0x61)));
  expect(answer.status).toBe(413);
  expect(answer.body.toString()).toBe("body_too_large");
  // The server still answers the next request.
  expect((await sendChunked([Buffer.from("ok")])).body.toString()).toBe("ok");
});

it("answers a read of a request whose client has gone with a premature close", async () => {
  const socket = connect(Number(new URL(base).port), "127.0.0.1");
  socket.on("error", () => undefined);
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  socket.write("POST /late HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf");
  // Once the server has the request, the client goes.
  await expect.poll(() => lateArrived).toBe(1);
  socket.destroy();
  await expect.poll(() => lateReads.length).toBe(1);
  expect(await lateReads[0]).toBe("ERR_STREAM_PREMATURE_CLOSE");
});

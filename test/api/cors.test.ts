import { createServer, request, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, describe, expect, it } from "vitest";

import { applyCors, originPolicyFromEnv, staticOriginPolicy, type OriginPolicy } from "../../app/api/cors.ts";
import { sendJson } from "../../app/api/respond.ts";

const SHOP = "https://shop.example.com";
const OTHER_SHOP = "https://other.example.com";
const EVIL = "https://evil.example.net";

// Sale "s-other" belongs to the other shop: the policy is asked per sale, as a store-backed one will be.
const policy: OriginPolicy = {
  isAllowed: async (origin, saleId) => (saleId === "s-other" ? origin === OTHER_SHOP : origin === SHOP),
};

const server = createServer((req, res) => {
  // A header set earlier in the pipeline, to check that Vary is extended rather than replaced.
  if (req.url?.includes("encoded")) res.setHeader("vary", "Accept-Encoding");
  const saleId = /^\/v1\/sales\/([^/]+)/.exec(req.url ?? "")?.[1] ?? null;
  void applyCors(req, res, policy, saleId).then((outcome) => {
    if (outcome === "continue") sendJson(res, 200, { handled: req.method });
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as AddressInfo).port;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** node:http rather than fetch, so Origin and the preflight headers go out exactly as written. */
function send(method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

const preflight = (origin: string, path = "/v1/sales/s-1/join") =>
  send("OPTIONS", path, { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type, x-holdfast-session" });

const CORS_HEADERS = [
  "access-control-allow-origin",
  "access-control-allow-credentials",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-max-age",
  "access-control-expose-headers",
];
const corsHeadersOf = (answer: Answer) => CORS_HEADERS.filter((name) => answer.headers[name] !== undefined);

describe("applyCors", () => {
  it("answers a preflight from an allowed origin with 204 and the exact origin", async () => {
    const answer = await preflight(SHOP);
    expect(answer.status).toBe(204);
    expect(answer.body).toBe("");
    expect(answer.headers).toMatchObject({
      "access-control-allow-origin": SHOP,
      "access-control-allow-credentials": "true",
      "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE",
      "access-control-allow-headers": "Authorization, Content-Type, X-Holdfast-Session, X-Holdfast-Pass, Idempotency-Key",
      "access-control-max-age": "600",
      vary: "Origin",
    });
  });

  it("refuses a preflight from another origin with a JSON 403 and no CORS headers", async () => {
    const answer = await preflight(EVIL);
    expect(answer.status).toBe(403);
    expect(answer.headers["content-type"]).toMatch(/application\/json/);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "origin_not_allowed" } });
    expect(answer.headers.vary).toBe("Origin");
    expect(corsHeadersOf(answer)).toEqual([]);
  });

  it("asks the policy about the sale in question", async () => {
    expect((await preflight(OTHER_SHOP, "/v1/sales/s-other/join")).status).toBe(204);
    expect((await preflight(SHOP, "/v1/sales/s-other/join")).status).toBe(403);
    expect((await preflight(OTHER_SHOP, "/v1/sales/s-1/join")).status).toBe(403);
  });

  it("marks actual requests from an allowed origin readable, exposing Retry-After", async () => {
    const answer = await send("GET", "/v1/sales/s-1/status", { origin: SHOP });
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({
      "access-control-allow-origin": SHOP,
      "access-control-allow-credentials": "true",
      "access-control-expose-headers": "Retry-After",
      vary: "Origin",
    });
    expect(answer.headers["access-control-max-age"]).toBeUndefined();
  });

  it("still runs actual requests from other origins but leaves the CORS headers out, so the browser blocks the answer", async () => {
    const answer = await send("POST", "/v1/sales/s-1/join", { origin: EVIL });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ handled: "POST" });
    expect(corsHeadersOf(answer)).toEqual([]);
    expect(answer.headers.vary).toBe("Origin");
  });

  it("leaves requests without Origin untouched", async () => {
    const plain = await send("GET", "/v1/sales/s-1/status");
    expect(corsHeadersOf(plain)).toEqual([]);
    expect(plain.headers.vary).toBeUndefined();
    const options = await send("OPTIONS", "/v1/sales/s-1/join", { "access-control-request-method": "POST" });
    expect(JSON.parse(options.body)).toEqual({ handled: "OPTIONS" });
  });

  it("treats OPTIONS without Access-Control-Request-Method as an ordinary request", async () => {
    const answer = await send("OPTIONS", "/v1/sales/s-1/join", { origin: SHOP });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ handled: "OPTIONS" });
    expect(answer.headers["access-control-allow-origin"]).toBe(SHOP);
  });

  it("adds Origin to an existing Vary instead of replacing it", async () => {
    const answer = await send("GET", "/v1/sales/s-1/encoded", { origin: SHOP });
    expect(answer.headers.vary).toBe("Accept-Encoding, Origin");
  });
});

describe("staticOriginPolicy", () => {
  it("matches origins as browsers send them, whatever the case or trailing slash in the configuration", () => {
    const list = staticOriginPolicy(["https://Shop.Example.com/", "http://localhost:3000", "https://a.example.com:443"]);
    expect(list.isAllowed("https://shop.example.com", null)).toBe(true);
    expect(list.isAllowed("http://localhost:3000", "s-1")).toBe(true);
    expect(list.isAllowed("https://a.example.com", null)).toBe(true);
    expect(list.isAllowed("http://shop.example.com", null)).toBe(false);
    expect(list.isAllowed("https://shop.example.com.evil.net", null)).toBe(false);
    expect(list.isAllowed("null", null)).toBe(false);
  });

  it("refuses configuration that is not a plain http(s) origin", () => {
    for (const bad of [
      "*",
      "https://*.example.com",
      "shop.example.com",
      "https://shop.example.com/path",
      "file:///tmp",
      "https://user@shop.example.com",
      "null",
    ]) {
      expect(() => staticOriginPolicy([bad]), bad).toThrow(/scheme and host only/);
    }
  });

  it("reads HOLDFAST_ALLOWED_ORIGINS, allowing nothing when unset", () => {
    const fromEnv = originPolicyFromEnv({ HOLDFAST_ALLOWED_ORIGINS: " https://shop.example.com , http://localhost:3000," });
    expect(fromEnv.isAllowed("http://localhost:3000", null)).toBe(true);
    expect(fromEnv.isAllowed(EVIL, null)).toBe(false);
    expect(originPolicyFromEnv({}).isAllowed("http://localhost:3000", null)).toBe(false);
  });
});

import { createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, describe, expect, it } from "vitest";

import { addressBucket, clientAddress, clientBucket, trustedProxies, trustedProxiesFromEnv } from "../../app/api/clientAddress.ts";
import { HttpError } from "../../app/api/HttpError.ts";
import { enforce } from "../../app/api/rateLimit.ts";
import { createRouter } from "../../app/api/router.ts";
import { LocalRateLimiter } from "../../app/core/rate-limit/index.ts";

const STATUS_RULE = { limit: 2, windowMs: 60_000 };
let limiter = new LocalRateLimiter();

const dispatch = createRouter(
  [
    {
      method: "GET",
      path: "/v1/status",
      handler: ({ req, res }) => {
        enforce(limiter.hit(`status:ip:${addressBucket(clientAddress(req, trustedProxies([])))}`, STATUS_RULE));
        res.end("ok");
      },
    },
    {
      // The trusted list comes in the query so one server can play every deployment.
      method: "GET",
      path: "/whoami",
      handler: ({ req, res, query }) => res.end(clientAddress(req, trustedProxies((query.get("trust") ?? "").split(",").filter(Boolean)))),
    },
  ],
  (error) => {
    throw error;
  },
);
const server = createServer((req, res) => void dispatch(req, res));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as AddressInfo).port;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

const whoami = (trust: string, forwardedFor?: string) =>
  get(`/whoami?trust=${encodeURIComponent(trust)}`, forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }).then((answer) => answer.body);

describe("enforce", () => {
  it("lets allowed results pass", () => {
    expect(() => enforce({ allowed: true, retryAfterSeconds: 0, remaining: 3 })).not.toThrow();
  });

  it("throws a 429 rate_limited with Retry-After and a message that says when", () => {
    const run = (seconds: number) => {
      try {
        enforce({ allowed: false, retryAfterSeconds: seconds, remaining: 0 });
      } catch (error) {
        return error;
      }
      return null;
    };
    expect(run(30)).toEqual(new HttpError(429, "rate_limited", "Too many requests; try again in 30 seconds.", { "retry-after": "30" }));
    expect(run(1)).toMatchObject({ status: 429, message: "Too many requests; try again in 1 second.", headers: { "retry-after": "1" } });
  });

  it("answers over HTTP with the API's error shape once the limit is reached, whatever X-Forwarded-For claims", async () => {
    limiter = new LocalRateLimiter();
    expect((await get("/v1/status")).status).toBe(200);
    expect((await get("/v1/status", { "x-forwarded-for": "198.51.100.1" })).status).toBe(200);
    const refused = await get("/v1/status", { "x-forwarded-for": "198.51.100.2" });
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBe("30");
    expect(refused.headers["content-type"]).toMatch(/application\/json/);
    expect(JSON.parse(refused.body)).toEqual({ error: { code: "rate_limited", message: "Too many requests; try again in 30 seconds." } });
  });
});

describe("clientAddress", () => {
  it("ignores X-Forwarded-For when the peer is not a trusted proxy, loopback included", async () => {
    expect(await whoami("")).toBe("127.0.0.1");
    expect(await whoami("", "203.0.113.9")).toBe("127.0.0.1");
    expect(await whoami("10.0.0.0/8", "203.0.113.9")).toBe("127.0.0.1");
  });

  it("takes the first untrusted hop from the right when the peer is a trusted proxy", async () => {
    expect(await whoami("127.0.0.1", "203.0.113.9")).toBe("203.0.113.9");
    // The client wrote 6.6.6.6 itself; the proxies appended the real address and their own.
    expect(await whoami("127.0.0.1,10.0.0.0/8", "6.6.6.6, 203.0.113.9, 10.1.2.3")).toBe("203.0.113.9");
    expect(await whoami("127.0.0.0/8", "6.6.6.6, 203.0.113.9")).toBe("203.0.113.9");
  });

  it("falls back to the nearest trusted hop when the chain has garbage or only proxies", async () => {
    expect(await whoami("127.0.0.1", "203.0.113.9, not-an-ip")).toBe("127.0.0.1");
    expect(await whoami("127.0.0.1,10.0.0.0/8", "junk, 10.1.2.3")).toBe("10.1.2.3");
    expect(await whoami("127.0.0.1,10.0.0.0/8", "10.9.9.9, 10.1.2.3")).toBe("10.9.9.9");
    expect(await whoami("127.0.0.1", "")).toBe("127.0.0.1");
  });

  it("strips ports, brackets and IPv4-mapped prefixes that proxies write", async () => {
    expect(await whoami("127.0.0.1", "203.0.113.9:51234")).toBe("203.0.113.9");
    expect(await whoami("127.0.0.1", "[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(await whoami("127.0.0.1", "::ffff:203.0.113.9")).toBe("203.0.113.9");
  });
});

describe("trustedProxies", () => {
  it("reads HOLDFAST_TRUSTED_PROXIES as addresses and CIDR ranges, trusting nobody by default", () => {
    const trusted = trustedProxiesFromEnv({ HOLDFAST_TRUSTED_PROXIES: "10.0.0.0/8, 192.0.2.10 ,fd00::/8" });
    expect(["10.200.0.1", "192.0.2.10", "fd12::1"].map((a) => trusted.has(a))).toEqual([true, true, true]);
    expect(["192.0.2.11", "11.0.0.1", "fe80::1", "nonsense"].map((a) => trusted.has(a))).toEqual([false, false, false, false]);
    const none = trustedProxiesFromEnv({});
    expect(["127.0.0.1", "::1", "10.0.0.1"].some((a) => none.has(a))).toBe(false);
  });

  it("refuses entries that are not addresses or ranges rather than trusting too much", () => {
    for (const bad of ["10.0.0.0/", "10.0.0.0/33", "10.0.0.0/8/8", "proxy.internal", "::1/129", "10.0.0.0/x"]) {
      expect(() => trustedProxies([bad]), bad).toThrow(/HOLDFAST_TRUSTED_PROXIES/);
    }
  });
});

describe("addressBucket", () => {
  it("limits IPv4 addresses one by one and IPv6 addresses by /64", () => {
    expect(addressBucket("203.0.113.9")).toBe("203.0.113.9");
    expect(addressBucket("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(addressBucket("2001:db8:aa:bb:1:2:3:4")).toBe("2001:db8:aa:bb::/64");
    expect(addressBucket("2001:0db8:00aa:00bb::9")).toBe("2001:db8:aa:bb::/64");
    expect(addressBucket("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
    expect(addressBucket("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressBucket("unknown")).toBe("unknown");
  });
});

describe("clientBucket", () => {
  it("equals addressBucket(clientAddress(...)) with and without trusted proxies, across keep-alive requests", () => {
    const socket = { remoteAddress: "::ffff:10.0.0.5" };
    const polled = (forwarded?: string) => ({ socket, headers: forwarded ? { "x-forwarded-for": forwarded } : {} }) as unknown as IncomingMessage;
    const proxy = trustedProxies(["10.0.0.0/8"]);
    for (const trusted of [trustedProxies([]), proxy]) {
      for (const forwarded of [undefined, "2001:db8:aa:bb:1:2:3:4", "198.51.100.7, 10.0.0.9", "garbage"]) {
        const req = polled(forwarded);
        expect(clientBucket(req, trusted), `${forwarded} ${trusted === proxy}`).toBe(addressBucket(clientAddress(req, trusted)));
      }
    }
    expect(clientBucket(polled("2001:db8:aa:bb:1:2:3:4"), proxy)).toBe("2001:db8:aa:bb::/64");
    expect(clientBucket(polled(), proxy)).toBe("10.0.0.5");
  });
});

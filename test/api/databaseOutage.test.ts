import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildApp, type App } from "../../app/composition/web.server.ts";
import { isDatabaseUnavailable } from "../../app/core/resilience/index.ts";
import type { Logger, LogFields } from "../../app/core/logger.ts";
import { freeLoopbackPort } from "../support/ports.ts";
import { testRedisConfig } from "../support/redis.ts";

// A database that does not answer is an outage, not a bug: the API answers 503 with
// Retry-After and a code a client can act on, as it does when Redis is away, instead of a 500
// "internal_error" logged as one.

const errors: { message: string; fields: LogFields }[] = [];
const logger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  error: (message, fields = {}) => errors.push({ message, fields }),
};
const adminToken = randomBytes(24).toString("base64url");
let app: App;
let base: string;

beforeAll(async () => {
  app = buildApp({
    redis: testRedisConfig(),
    databaseUrl: `postgresql://holdfast@127.0.0.1:${await freeLoopbackPort()}/unreachable`,
    logger,
    adminToken,
    env: { HOLDFAST_ENCRYPTION_KEY: randomBytes(32).toString("base64") },
  });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
});

describe("the SQL database does not answer", () => {
  it("answers the admin API 503 service_unavailable with Retry-After, not a 500, and logs no error", async () => {
    const response = await fetch(`${base}/v1/admin/sales`, { headers: { authorization: `Bearer ${adminToken}` } });
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(body.error.code).toBe("service_unavailable");
    expect(body.error.message).toMatch(/database did not answer; try again/);
    expect(errors).toEqual([]);
  });

  it("says so on /readyz, naming the sql check", async () => {
    const response = await fetch(`${base}/readyz`);
    const body = (await response.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(response.status).toBe(503);
    expect(body.status).toBe("unavailable");
    expect(body.checks.sql?.ok).toBe(false);
  });

  it("recognises Prisma's codes for an unanswered database and nothing else", () => {
    const prisma = (code: string, name = "PrismaClientKnownRequestError") => Object.assign(new Error("x"), { name, code });
    for (const code of ["P1001", "P1002", "P1008", "P1017", "P2024"]) expect(isDatabaseUnavailable(prisma(code)), code).toBe(true);
    // A client that never connected carries errorCode instead of code.
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { name: "PrismaClientInitializationError", errorCode: "P1001" }))).toBe(true);
    // Refusals of a query that ran, and look-alikes from elsewhere, stay what they are.
    for (const code of ["P2002", "P2025", "P1000"]) expect(isDatabaseUnavailable(prisma(code)), code).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "P1001" }))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});

import { Redis } from "ioredis";
import { afterEach, expect, it } from "vitest";

import { provisionRedis, RedisUnavailableError } from "../../app/composition/localRedis.server.ts";

const originalPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = originalPath;
});

// Port 1 on loopback never runs Redis.
const NOTHING_THERE = { mode: "standalone", url: "redis://127.0.0.1:1" } as const;

it("uses the configured Redis when it answers", async () => {
  const provision = await provisionRedis({ mode: "standalone", url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" }, { explicit: true });
  expect(provision.stop).toBeUndefined();
});

it("starts a private redis-server when REDIS_URL is not set and nothing answers, and stops it again", async () => {
  const provision = await provisionRedis(NOTHING_THERE, { explicit: false });
  expect(provision.config.mode).toBe("standalone");
  const url = provision.config.mode === "standalone" ? provision.config.url : "";
  expect(url).not.toBe(NOTHING_THERE.url);
  const client = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  client.on("error", () => undefined);
  await client.connect();
  expect(await client.ping()).toBe("PONG");
  provision.stop?.();
  await expect.poll(async () => client.ping().catch(() => "gone"), { timeout: 5_000 }).toBe("gone");
  client.disconnect();
});

it("fails with one line saying how to get Redis when redis-server is not installed", async () => {
  process.env.PATH = "/nonexistent";
  const attempt = provisionRedis(NOTHING_THERE, { explicit: false });
  await expect(attempt).rejects.toBeInstanceOf(RedisUnavailableError);
  await expect(attempt).rejects.toThrow(/^No Redis answers at redis:\/\/127\.0\.0\.1:1: start one .*or set REDIS_URL\.$/);
});

it("never replaces a Redis the operator named: it fails with one line saying what to do", async () => {
  const attempt = provisionRedis(NOTHING_THERE, { explicit: true });
  await expect(attempt).rejects.toBeInstanceOf(RedisUnavailableError);
  await expect(attempt).rejects.toThrow(/^No Redis answers at REDIS_URL \(redis:\/\/127\.0\.0\.1:1\): start that Redis or correct REDIS_URL; unset it/);
});

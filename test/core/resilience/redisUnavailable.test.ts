import { describe, expect, it } from "vitest";

import { isRedisUnavailable, RedisUnavailableError } from "../../../app/core/resilience/index.ts";

// What a Redis client raises when the server did not run the command (the storefront answers
// 503 with Retry-After), as opposed to a command Redis ran and refused (a bug: 500).
describe("isRedisUnavailable", () => {
  it.each([
    "Connection is closed.",
    "Command timed out",
    "Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down",
    "CLUSTERDOWN Hash slot not served",
    "TRYAGAIN Multiple keys request during rehashing of slot",
    "READONLY You can't write against a read only replica.",
    "LOADING Redis is loading the dataset in memory",
    "connect ECONNREFUSED 127.0.0.1:6379",
  ])("counts %s as unanswered", (message) => {
    expect(isRedisUnavailable(new Error(message))).toBe(true);
  });

  it("counts the open circuit and ioredis's named errors as unanswered", () => {
    expect(isRedisUnavailable(new RedisUnavailableError(1_000))).toBe(true);
    expect(isRedisUnavailable(Object.assign(new Error("x"), { name: "MaxRetriesPerRequestError" }))).toBe(true);
    expect(isRedisUnavailable(Object.assign(new Error("x"), { name: "ClusterAllFailedError" }))).toBe(true);
  });

  it.each([
    "ERR Error running script (call to f_x): @user_script:1: attempt to compare nil with number",
    "WRONGTYPE Operation against a key holding the wrong kind of value",
    "NOSCRIPT No matching script",
  ])("does not hide %s, which Redis answered", (message) => {
    expect(isRedisUnavailable(new Error(message))).toBe(false);
  });

  it("does not count what is not an error", () => {
    expect(isRedisUnavailable("Connection is closed.")).toBe(false);
  });
});

import { setTimeout as sleep } from "node:timers/promises";

import { describe, expect, it } from "vitest";

import { PlatformError } from "../../../app/core/platform/index.ts";
import { BreakerOpenError, isBreakerOpen, PlatformRetryBackoff, platformPolicy, PlatformTimeoutError } from "../../../app/core/resilience/index.ts";

const unavailable = () => new PlatformError("unavailable", "HTTP 503", { status: 503 });
const fast = { initialDelayMs: 1, maxDelayMs: 50 };

/** A call that fails with the given errors in turn, then answers "ok"; counts its attempts. */
function scripted(...failures: Error[]) {
  const calls = { count: 0 };
  const fn = async () => {
    const failure = failures[calls.count++];
    if (failure) throw failure;
    return "ok";
  };
  return { fn, calls };
}

describe("platformPolicy: timeout", () => {
  it("rejects with PlatformTimeoutError at the deadline and aborts the call's signal", async () => {
    const policy = platformPolicy({ timeoutMs: 40, retries: 0 });
    let seen: AbortSignal | undefined;
    const outcome = policy.execute((signal) => {
      seen = signal;
      return new Promise<string>(() => undefined); // never answers
    });
    await expect(outcome).rejects.toBeInstanceOf(PlatformTimeoutError);
    await expect(outcome).rejects.toMatchObject({ kind: "unavailable", details: { code: "timeout" } });
    // The call never answers, so only the deadline can have ended it.
    expect(seen?.aborted).toBe(true);
  });

  it("retries a timed-out attempt, with a fresh deadline", async () => {
    const policy = platformPolicy({ timeoutMs: 30, retries: 2, backoff: fast });
    let attempts = 0;
    const result = await policy.execute(async () => {
      attempts++;
      if (attempts === 1) await sleep(200);
      return "second time lucky";
    });
    expect(result).toBe("second time lucky");
    expect(attempts).toBe(2);
  });
});

describe("platformPolicy: retry", () => {
  it("retries throttled and unavailable failures until the call succeeds", async () => {
    const policy = platformPolicy({ retries: 3, backoff: fast });
    const { fn, calls } = scripted(unavailable(), new PlatformError("throttled", "Throttled", { retryAfterMs: 5 }), unavailable());
    await expect(policy.execute(fn)).resolves.toBe("ok");
    expect(calls.count).toBe(4);
  });

  it("gives up after `retries` retries with the last error", async () => {
    const policy = platformPolicy({ retries: 2, backoff: fast });
    const { fn, calls } = scripted(unavailable(), unavailable(), unavailable(), unavailable());
    await expect(policy.execute(fn)).rejects.toMatchObject({ kind: "unavailable" });
    expect(calls.count).toBe(3);
  });

  it.each([
    ["rejected", new PlatformError("rejected", "bad input")],
    ["unauthorized", new PlatformError("unauthorized", "token revoked", { status: 401 })],
    ["not_found", new PlatformError("not_found", "gone")],
    ["conflict (the caller re-reads first)", new PlatformError("conflict", "stale")],
    ["an unknown error", new TypeError("bug")],
  ])("does not retry %s", async (_name, error) => {
    const policy = platformPolicy({ retries: 3, backoff: fast });
    const { fn, calls } = scripted(error);
    await expect(policy.execute(fn)).rejects.toBe(error);
    expect(calls.count).toBe(1);
  });

  it("retries only throttling for a call that must not run twice (its outcome may be unknown)", async () => {
    const policy = platformPolicy({ retries: 3, backoff: fast });
    const lost = scripted(unavailable());
    await expect(policy.execute(lost.fn, { idempotent: false })).rejects.toMatchObject({ kind: "unavailable" });
    expect(lost.calls.count).toBe(1);
    const throttled = scripted(new PlatformError("throttled", "Throttled", { retryAfterMs: 1 }));
    await expect(policy.execute(throttled.fn, { idempotent: false })).resolves.toBe("ok");
    expect(throttled.calls.count).toBe(2);
  });

  it("waits at least the platform's retryAfterMs before retrying", async () => {
    const policy = platformPolicy({ retries: 1, backoff: { initialDelayMs: 1, maxDelayMs: 1_000 } });
    const stamps: number[] = [];
    const { fn } = scripted(new PlatformError("throttled", "Throttled", { retryAfterMs: 120 }));
    await policy.execute(async () => {
      stamps.push(Date.now());
      return fn();
    });
    expect(stamps[1]! - stamps[0]!).toBeGreaterThanOrEqual(115);
  });

  it("hands a long retryAfterMs back to the caller instead of holding the worker", async () => {
    const policy = platformPolicy({ retries: 3, backoff: { initialDelayMs: 1, maxDelayMs: 100 } });
    const { fn, calls } = scripted(new PlatformError("throttled", "Throttled", { retryAfterMs: 60_000 }));
    await expect(policy.execute(fn)).rejects.toMatchObject({ kind: "throttled", details: { retryAfterMs: 60_000 } });
    expect(calls.count).toBe(1);
  });

  it("spreads retries with jitter under an exponential ceiling, and never waits less than asked", () => {
    const context = (error: Error, attempt: number) => ({ attempt, signal: new AbortController().signal, result: { error } });
    const durations = (random: number, error: Error) => {
      let backoff = new PlatformRetryBackoff({ initialDelayMs: 10, maxDelayMs: 25, random: () => random }).next(context(error, 1));
      const seen = [backoff.duration];
      for (let attempt = 2; attempt <= 4; attempt++) {
        backoff = backoff.next(context(error, attempt));
        seen.push(backoff.duration);
      }
      return seen;
    };
    expect(durations(0.999, unavailable())).toEqual([9, 19, 24, 24]); // ceilings 10, 20, 25 (capped), 25
    expect(durations(0.5, unavailable())).toEqual([5, 10, 12, 12]);
    expect(durations(0, new PlatformError("throttled", "Throttled", { retryAfterMs: 17 }))).toEqual([17, 17, 17, 17]);
    expect(durations(0, new PlatformError("throttled", "Throttled", { retryAfterMs: 60_000 }))).toEqual([25, 25, 25, 25]);
  });
});

describe("platformPolicy: circuit breaker", () => {
  const breaker = { consecutiveFailures: 3, halfOpenAfterMs: 200 };

  it("opens after N consecutive unhealthy failures and then refuses without calling", async () => {
    const policy = platformPolicy({ retries: 0, breaker, storeId: "s1", platform: "shopify" });
    const states: string[] = [];
    policy.onStateChange((state) => states.push(state));
    for (let i = 0; i < 3; i++) await expect(policy.execute(async () => Promise.reject(unavailable()))).rejects.toMatchObject({ kind: "unavailable" });
    expect(policy.state).toBe("open");

    let called = false;
    const refused = policy.execute(async () => {
      called = true;
      return "ok";
    });
    await expect(refused).rejects.toBeInstanceOf(BreakerOpenError);
    const error = await refused.catch((e: unknown) => e);
    expect(isBreakerOpen(error)).toBe(true);
    expect(error).toMatchObject({ kind: "unavailable", details: { code: "breaker_open" }, storeId: "s1", platform: "shopify" });
    expect((error as BreakerOpenError).details.retryAfterMs).toBeGreaterThan(0);
    expect((error as BreakerOpenError).details.retryAfterMs).toBeLessThanOrEqual(200);
    expect(called).toBe(false);
    expect(states).toEqual(["open"]);
  });

  it("half-opens after halfOpenAfterMs: a successful test call closes it", async () => {
    const policy = platformPolicy({ retries: 0, breaker });
    const states: string[] = [];
    policy.onStateChange((state) => states.push(state));
    for (let i = 0; i < 3; i++) await policy.execute(async () => Promise.reject(unavailable())).catch(() => undefined);
    await sleep(220);
    let during: string | undefined;
    await expect(
      policy.execute(async () => {
        await sleep(1); // cockatiel marks the state half-open right after starting the test call
        during = policy.state;
        return "ok";
      }),
    ).resolves.toBe("ok");
    expect(during).toBe("half-open");
    expect(policy.state).toBe("closed");
    expect(states).toEqual(["open", "half-open", "closed"]);
  });

  it("a failed test call opens it again for another halfOpenAfterMs", async () => {
    const policy = platformPolicy({ retries: 0, breaker });
    for (let i = 0; i < 3; i++) await policy.execute(async () => Promise.reject(unavailable())).catch(() => undefined);
    await sleep(220);
    await expect(policy.execute(async () => Promise.reject(unavailable()))).rejects.toMatchObject({ details: { status: 503 } });
    expect(policy.state).toBe("open");
    await expect(policy.execute(async () => "ok")).rejects.toBeInstanceOf(BreakerOpenError);
  });

  it("counts timeouts but not refusals or throttling, and a success resets the count", async () => {
    const policy = platformPolicy({ retries: 0, timeoutMs: 20, breaker });
    const fail = (error: Error) => policy.execute(async () => Promise.reject(error)).catch(() => undefined);
    await fail(unavailable());
    await fail(unavailable());
    await policy.execute(async () => "ok");
    await fail(unavailable());
    await fail(new PlatformError("rejected", "no"));
    await fail(new PlatformError("throttled", "Throttled", { retryAfterMs: 1 }));
    await fail(new PlatformError("conflict", "stale"));
    await fail(unavailable());
    expect(policy.state).toBe("closed");
    await policy.execute(() => sleep(200)).catch(() => undefined); // third in a row: a timeout
    expect(policy.state).toBe("open");
  });

  it("stops retrying as soon as the breaker opens, so the job is deferred at once", async () => {
    const policy = platformPolicy({ retries: 10, backoff: fast, breaker });
    let calls = 0;
    const outcome = policy.execute(async () => {
      calls++;
      throw unavailable();
    });
    await expect(outcome).rejects.toBeInstanceOf(BreakerOpenError);
    expect(calls).toBe(3);
  });

  it("skips beforeAttempt while open (no budget is spent on a refused call)", async () => {
    const policy = platformPolicy({ retries: 0, breaker });
    for (let i = 0; i < 3; i++) await policy.execute(async () => Promise.reject(unavailable())).catch(() => undefined);
    let prepared = 0;
    await expect(policy.execute(async () => "ok", { beforeAttempt: () => void prepared++ })).rejects.toBeInstanceOf(BreakerOpenError);
    expect(prepared).toBe(0);
  });
});

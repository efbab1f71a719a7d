import { describe, expect, it } from "vitest";

import { orderEventJobId, parseOrderEvent, PermanentOrderError } from "../../../app/core/orders/index.ts";
import { queueRetryBackoff, jobIdFor, queueNamespaceFromEnv, queuePrefix, replicaAcksFromEnv } from "../../../app/core/queues/index.ts";

const valid = {
  eventId: "e-1",
  storeId: null,
  saleId: "s1",
  platformOrderRef: "#1001",
  kind: "created",
  lines: [
    { itemId: "a", quantity: 1 },
    { itemId: "a", quantity: 2 },
  ],
  occurredAt: "2026-11-28T12:00:00Z",
};

describe("parseOrderEvent", () => {
  it("normalises a valid event: lines merged, time in ms, optional fields kept", () => {
    expect(parseOrderEvent({ ...valid, holdId: "h1", customerRef: "bob" })).toEqual({
      eventId: "e-1",
      storeId: null,
      saleId: "s1",
      platformOrderRef: "#1001",
      kind: "created",
      lines: [{ itemId: "a", quantity: 3 }],
      holdId: "h1",
      customerRef: "bob",
      occurredAt: Date.UTC(2026, 10, 28, 12),
    });
  });

  it("lets a cancellation come without lines, never an order", () => {
    expect(parseOrderEvent({ ...valid, kind: "cancelled", lines: undefined }).lines).toEqual([]);
    expect(() => parseOrderEvent({ ...valid, lines: [] })).toThrow(/lines must be a list of 1-100 lines/);
  });

  it.each([
    [null, /must be an object/],
    [{ ...valid, eventId: "" }, /eventId/],
    [{ ...valid, saleId: "has space" }, /sale id/],
    [{ ...valid, kind: "shipped" }, /kind must be one of/],
    [{ ...valid, lines: [{ itemId: "a", quantity: 0 }] }, /quantity/],
    [{ ...valid, occurredAt: "yesterday" }, /occurredAt/],
    [{ ...valid, holdId: 7 }, /holdId/],
    [{ ...valid, storeId: "" }, /storeId/],
  ])("refuses %j as a permanent error", (input, message) => {
    let caught: unknown;
    try {
      parseOrderEvent(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PermanentOrderError);
    expect((caught as PermanentOrderError).code).toBe("invalid_event");
    expect((caught as Error).message).toMatch(message);
  });
});

describe("queues", () => {
  it("gives every queue its own hash tag under the namespace", () => {
    expect(queuePrefix("hf", "order-events")).toBe("{hf:order-events}");
    expect(queuePrefix("hf", "dead-letter")).toBe("{hf:dead-letter}");
    expect(() => queuePrefix("h{f}", "order-events")).toThrow(/namespace/);
    expect(queueNamespaceFromEnv({})).toBe("hf");
    expect(queueNamespaceFromEnv({ HOLDFAST_QUEUE_NAMESPACE: "hf-staging" })).toBe("hf-staging");
  });

  it("reads REDIS_WAIT_REPLICAS: unset or 0 waits for no replica; anything but 0-16 stops the start", () => {
    expect(replicaAcksFromEnv({})).toBeUndefined();
    expect(replicaAcksFromEnv({ REDIS_WAIT_REPLICAS: "0" })).toBeUndefined();
    expect(replicaAcksFromEnv({ REDIS_WAIT_REPLICAS: " 2 " })).toEqual({ replicas: 2, timeoutMs: 1_000 });
    for (const bad of ["-1", "1.5", "one", "17"]) expect(() => replicaAcksFromEnv({ REDIS_WAIT_REPLICAS: bad }), bad).toThrow(/REDIS_WAIT_REPLICAS/);
  });

  it("makes job ids BullMQ accepts: never an integer, never a colon", () => {
    expect(orderEventJobId("b8d2c8f0-1e4a")).toBe("ev-b8d2c8f0-1e4a");
    expect(orderEventJobId("12345")).toBe("ev-12345");
    const hashed = jobIdFor("ev", "wc:order.created:77");
    expect(hashed).toMatch(/^ev_h[0-9a-f]{40}$/);
    expect(jobIdFor("ev", "wc:order.created:77")).toBe(hashed);
  });
});

describe("queueRetryBackoff", () => {
  it("grows exponentially, stays between half and all of the step, and is capped", () => {
    const low = queueRetryBackoff({ baseDelayMs: 1_000, maxDelayMs: 30_000, random: () => 0 });
    const high = queueRetryBackoff({ baseDelayMs: 1_000, maxDelayMs: 30_000, random: () => 0.999999 });
    expect([1, 2, 3, 4].map((attempt) => low(attempt))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((attempt) => high(attempt))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(high(20)).toBe(30_000);
  });

  it("takes the base delay from the job's backoff option", () => {
    const strategy = queueRetryBackoff({ random: () => 0 });
    const job = { opts: { backoff: { type: "holdfast-jittered", delay: 200 } } } as Parameters<typeof strategy>[3];
    expect(strategy(3, "holdfast-jittered", undefined, job)).toBe(400);
  });
});

import { describe, expect, it } from "vitest";

import { CallBatcher, type CallBatcherOptions } from "../../../app/core/batching/index.ts";

interface Call {
  key: string;
  items: readonly number[];
  answer: (results: readonly string[]) => void;
  fail: (error: Error) => void;
}

/** A batcher whose calls stay open until the test answers them. */
function openCalls(options: CallBatcherOptions) {
  const calls: Call[] = [];
  const batcher = new CallBatcher<number, string>(
    (key, items) =>
      new Promise((resolve, reject) => {
        calls.push({ key, items, answer: resolve, fail: reject });
      }),
    options,
  );
  return { calls, batcher };
}

/** Lets the event loop turn until `condition` holds (no fixed sleeps). */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1_000 && !condition(); turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

const echo = (items: readonly number[]) => items.map((item) => `r${item}`);

describe("CallBatcher", () => {
  it("sends the items of one turn in one call, in order, and answers each its own result", async () => {
    const { calls, batcher } = openCalls({ maxBatch: 10 });
    const results = [1, 2, 3].map((item) => batcher.submit("a", item));
    await until(() => calls.length === 1);
    expect(calls[0]?.items).toEqual([1, 2, 3]);
    calls[0]?.answer(echo([1, 2, 3]));
    expect(await Promise.all(results)).toEqual(["r1", "r2", "r3"]);
  });

  it("gathers what arrives while calls are in flight into the next call", async () => {
    const { calls, batcher } = openCalls({ maxBatch: 10, maxInFlight: 1 });
    const first = batcher.submit("a", 1);
    await until(() => calls.length === 1);
    const later = [2, 3, 4].map((item) => batcher.submit("a", item));
    // Nothing more goes while the first call is open.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(1);
    calls[0]?.answer(["r1"]);
    expect(await first).toBe("r1");
    await until(() => calls.length === 2);
    expect(calls[1]?.items).toEqual([2, 3, 4]);
    calls[1]?.answer(echo([2, 3, 4]));
    expect(await Promise.all(later)).toEqual(["r2", "r3", "r4"]);
  });

  it("sends a full batch at once even while calls are in flight", async () => {
    const { calls, batcher } = openCalls({ maxBatch: 2, maxInFlight: 1 });
    const all = [1, 2, 3, 4, 5].map((item) => batcher.submit("a", item));
    // Two full batches go as they fill; the fifth waits for a call to return.
    expect(calls.map((call) => call.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    calls[0]?.answer(echo([1, 2]));
    calls[1]?.answer(echo([3, 4]));
    await until(() => calls.length === 3);
    expect(calls[2]?.items).toEqual([5]);
    calls[2]?.answer(["r5"]);
    expect(await Promise.all(all)).toEqual(["r1", "r2", "r3", "r4", "r5"]);
  });

  it("fails only the items of a failed call, and the next call goes", async () => {
    const { calls, batcher } = openCalls({ maxBatch: 10, maxInFlight: 1 });
    const failed = [batcher.submit("a", 1), batcher.submit("a", 2)];
    await until(() => calls.length === 1);
    const next = batcher.submit("a", 3);
    calls[0]?.fail(new Error("connection lost"));
    for (const result of failed) await expect(result).rejects.toThrow("connection lost");
    await until(() => calls.length === 2);
    calls[1]?.answer(["r3"]);
    expect(await next).toBe("r3");
  });

  it("fails every item of a call that answers the wrong number of results", async () => {
    const { calls, batcher } = openCalls({ maxBatch: 10 });
    const results = [batcher.submit("a", 1), batcher.submit("a", 2)];
    await until(() => calls.length === 1);
    calls[0]?.answer(["r1"]);
    for (const result of results) await expect(result).rejects.toThrow("1 results for 2 items");
  });

  it("keeps keys apart: each key has its own calls", async () => {
    const { calls, batcher } = openCalls({ maxBatch: 10, maxInFlight: 1 });
    const a = batcher.submit("a", 1);
    const b = batcher.submit("b", 2);
    await until(() => calls.length === 2);
    expect(calls.map((call) => [call.key, call.items])).toEqual([
      ["a", [1]],
      ["b", [2]],
    ]);
    calls[1]?.answer(["r2"]);
    calls[0]?.answer(["r1"]);
    expect([await a, await b]).toEqual(["r1", "r2"]);
  });

  it("refuses a batch size that is not a positive integer", () => {
    expect(() => new CallBatcher(() => Promise.resolve([]), { maxBatch: 0 })).toThrow(RangeError);
  });
});

describe("CallBatcher with maxWaitMs", () => {
  it("sends items that waited maxWaitMs behind calls in flight without waiting for them to return", async () => {
    const { calls, batcher } = openCalls({ maxBatch: 10, maxInFlight: 1, maxWaitMs: 5 });
    const first = batcher.submit("a", 1);
    await until(() => calls.length === 1);
    const late = [batcher.submit("a", 2), batcher.submit("a", 3)];
    // The first call never answers before the others go: they went because they waited 5 ms.
    await expect.poll(() => calls.length, { timeout: 5_000, interval: 1 }).toBe(2);
    expect(calls[1]?.items).toEqual([2, 3]);
    calls[1]?.answer(echo([2, 3]));
    calls[0]?.answer(["r1"]);
    expect(await Promise.all([first, ...late])).toEqual(["r1", "r2", "r3"]);
  });
});

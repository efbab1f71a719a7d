import { describe, expect, it } from "vitest";

import { RedisCircuit, RedisUnavailableError } from "../../../app/core/resilience/index.ts";

// What ioredis raises when a command was never answered (see redisUnavailable.test.ts).
const unanswered = (): Promise<never> => Promise.reject(new Error("Command timed out"));

describe("RedisCircuit.guard", () => {
  it("gives a synchronous answer back as it is, without a promise", () => {
    const circuit = new RedisCircuit(() => Promise.resolve("PONG"));
    try {
      expect(circuit.guard(() => 42)).toBe(42);
    } finally {
      circuit.stop();
    }
  });

  it("counts only answers that waited: polls answered from memory do not hide Redis failing", async () => {
    const circuit = new RedisCircuit(() => Promise.resolve("PONG"), { consecutiveFailures: 3, probeAfterMs: 60_000 });
    try {
      for (let failure = 1; failure <= 3; failure++) {
        await expect(circuit.guard(unanswered)).rejects.toBeInstanceOf(RedisUnavailableError);
        // Between Redis's failures, a status poll answered from this process's caches (awaited,
        // so this case is about counting alone; the case above is about the missing promise).
        if (failure < 3) expect(await circuit.guard(() => "from the cache")).toBe("from the cache");
      }
      expect(circuit.state).toBe("open");
      // Open: refused at once, before the work runs, even work that would not wait.
      let ran = false;
      expect(() =>
        circuit.guard(() => {
          ran = true;
        }),
      ).toThrow(RedisUnavailableError);
      expect(ran).toBe(false);
    } finally {
      circuit.stop();
    }
  });

  it("an answer that waited and came resets the count of failures", async () => {
    const circuit = new RedisCircuit(() => Promise.resolve("PONG"), { consecutiveFailures: 2, probeAfterMs: 60_000 });
    try {
      await expect(circuit.guard(unanswered)).rejects.toBeInstanceOf(RedisUnavailableError);
      await expect(circuit.guard(() => Promise.resolve("answered"))).resolves.toBe("answered");
      await expect(circuit.guard(unanswered)).rejects.toBeInstanceOf(RedisUnavailableError);
      expect(circuit.state).toBe("closed");
    } finally {
      circuit.stop();
    }
  });
});

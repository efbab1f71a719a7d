import { LatencyHistogram } from "./histogram.ts";

/**
 * Closed-loop load: `concurrency` async workers in this process, each awaiting one
 * operation at a time. Latency is what the caller of the operation observes (including
 * time spent queued in a client library or a connection pool, and event-loop delay).
 */

/** One operation. Resolves true when it succeeded (e.g. a hold was granted), false when refused. */
export type Operation = (worker: number, seq: number) => Promise<boolean>;

/** Tells apart errors a real caller would retry or report per request (e.g. a deadlock) from broken systems. */
export type TransientErrorTest = (error: unknown) => boolean;

export interface TimedLoadOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** How long after the end the last operations may take before the phase is declared hung. */
  graceMs?: number;
  isTransient?: TransientErrorTest;
}

export interface TimedLoadResult {
  /** Operations that completed inside the timed window (after warm-up). */
  ops: number;
  succeeded: number;
  refused: number;
  transientErrors: number;
  firstTransientError: string | null;
  windowMs: number;
  opsPerSec: number;
  latency: LatencyHistogram;
  /** Completions per whole second of the timed window. */
  perSecond: number[];
  warmupOps: number;
}

export async function runTimedLoad(operation: Operation, options: TimedLoadOptions): Promise<TimedLoadResult> {
  const { concurrency, warmupMs, durationMs } = options;
  const graceMs = options.graceMs ?? 30_000;
  const start = process.hrtime.bigint();
  const windowStart = start + BigInt(Math.round(warmupMs * 1e6));
  const windowEnd = windowStart + BigInt(Math.round(durationMs * 1e6));
  const latency = new LatencyHistogram();
  const perSecond = new Array<number>(Math.ceil(durationMs / 1_000)).fill(0);
  const state = { stop: false, ops: 0, succeeded: 0, refused: 0, transient: 0, firstTransient: null as string | null, warmupOps: 0 };

  const worker = async (index: number): Promise<void> => {
    let seq = 0;
    while (!state.stop) {
      const began = process.hrtime.bigint();
      if (began >= windowEnd) return;
      let ok: boolean;
      try {
        ok = await operation(index, seq++);
      } catch (error) {
        if (!options.isTransient?.(error)) throw error;
        state.transient += 1;
        state.firstTransient ??= describeError(error);
        ok = false;
        // A transient error is still a completed, failed attempt; fall through to record it.
      }
      const ended = process.hrtime.bigint();
      if (ended < windowStart) {
        state.warmupOps += 1;
      } else if (ended <= windowEnd) {
        state.ops += 1;
        if (ok) state.succeeded += 1;
        else state.refused += 1;
        latency.recordNanos(Number(ended - began));
        const second = Math.floor(Number(ended - windowStart) / 1e9);
        if (second < perSecond.length) perSecond[second]! += 1;
      }
    }
  };

  await runWorkers(concurrency, worker, state, warmupMs + durationMs + graceMs);
  const windowMs = durationMs;
  return {
    ops: state.ops,
    succeeded: state.succeeded,
    refused: state.refused,
    transientErrors: state.transient,
    firstTransientError: state.firstTransient,
    windowMs,
    opsPerSec: state.ops / (windowMs / 1_000),
    latency,
    perSecond,
    warmupOps: state.warmupOps,
  };
}

export interface AttemptsOptions {
  concurrency: number;
  attempts: number;
  /** Upper bound for the whole probe. */
  timeoutMs: number;
  isTransient?: TransientErrorTest;
}

export interface AttemptsResult {
  attempts: number;
  succeeded: number;
  refused: number;
  transientErrors: number;
  firstTransientError: string | null;
  elapsedMs: number;
  latency: LatencyHistogram;
}

/** Fires exactly `attempts` operations from `concurrency` workers (an oversell probe). */
export async function runAttempts(operation: Operation, options: AttemptsOptions): Promise<AttemptsResult> {
  const latency = new LatencyHistogram();
  const state = { stop: false, claimed: 0, succeeded: 0, refused: 0, transient: 0, firstTransient: null as string | null };
  const start = process.hrtime.bigint();

  const worker = async (index: number): Promise<void> => {
    let seq = 0;
    while (!state.stop && state.claimed < options.attempts) {
      state.claimed += 1;
      const began = process.hrtime.bigint();
      let ok: boolean;
      try {
        ok = await operation(index, seq++);
      } catch (error) {
        if (!options.isTransient?.(error)) throw error;
        state.transient += 1;
        state.firstTransient ??= describeError(error);
        ok = false;
      }
      latency.recordNanos(Number(process.hrtime.bigint() - began));
      if (ok) state.succeeded += 1;
      else state.refused += 1;
    }
  };

  await runWorkers(options.concurrency, worker, state, options.timeoutMs);
  return {
    attempts: state.claimed,
    succeeded: state.succeeded,
    refused: state.refused,
    transientErrors: state.transient,
    firstTransientError: state.firstTransient,
    elapsedMs: Number(process.hrtime.bigint() - start) / 1e6,
    latency,
  };
}

/** Runs the workers; the first unexpected error or the deadline stops all of them. */
async function runWorkers(concurrency: number, worker: (index: number) => Promise<void>, state: { stop: boolean }, deadlineMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`load phase did not finish within ${Math.round(deadlineMs / 1_000)} s`)), deadlineMs);
  });
  const workers = Array.from({ length: concurrency }, (_unused, index) =>
    worker(index).catch((error: unknown) => {
      state.stop = true;
      throw error;
    }),
  );
  try {
    await Promise.race([Promise.all(workers), deadline]);
  } finally {
    state.stop = true;
    clearTimeout(timer);
    // Let in-flight operations settle (bounded) so no stray promise rejects after cleanup began.
    await Promise.race([Promise.allSettled(workers), sleep(5_000)]);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return code === undefined ? error.message : `${String(code)}: ${error.message}`;
  }
  return String(error);
}

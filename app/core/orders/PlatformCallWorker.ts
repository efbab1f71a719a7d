import { Worker, type Job } from "bullmq";

import { silentLogger, type Logger } from "../logger.ts";
import { PlatformError, UnknownStoreError, type PlatformDirectory } from "../platform/index.ts";
import { deferJob, deferralMs, outageAfter, type BreakerLookup } from "../queues/deferral.ts";
import type { QueueRetryBackoffOptions } from "../queues/backoff.ts";
import { DeadLetterQueue } from "../queues/DeadLetterQueue.ts";
import type { PlatformCall } from "./PlatformCallQueue.ts";
import { HoldfastQueues, QUEUE_NAMES } from "../queues/queues.ts";
import { deadLetterUnseenFailures, failJob } from "../queues/failurePolicy.ts";
import { QueueRunner } from "../queues/QueueRunner.ts";

export interface PlatformCallWorkerOptions {
  queues: HoldfastQueues;
  platforms: PlatformDirectory;
  /** Whether a store's breaker is open after a failure (the store directory); failures that open it defer instead of counting. */
  breakers?: BreakerLookup;
  deadLetters: DeadLetterQueue;
  logger?: Logger;
  /** Calls in flight per process; default 10 (each waits on a platform). */
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  backoff?: QueueRetryBackoffOptions;
}

export interface PlatformCallResult {
  type: PlatformCall["type"];
  storeId: string;
  platformOrderRef: string;
  outcome: "done";
}

/** A job whose data is not a call this worker knows: no retry can fix it. */
class MalformedCallError extends Error {
  readonly code = "malformed_call";
}

function parseCall(data: unknown): PlatformCall {
  const call = (data ?? {}) as Partial<Record<keyof PlatformCall, unknown>>;
  if (call.type !== "cancelOrder") throw new MalformedCallError(`unknown platform call type ${JSON.stringify(call.type)}`);
  for (const field of ["storeId", "platformOrderRef", "reason", "saleId"] as const) {
    if (typeof call[field] !== "string" || call[field] === "") throw new MalformedCallError(`platform call needs a ${field}`);
  }
  return call as PlatformCall;
}

/**
 * Failures no retry can fix: the store is gone, the platform refused the call as such or
 * refused our credentials, the order does not exist. They go to the dead-letter queue at
 * once; an operator replays them after the merchant reconnects or the cause is fixed.
 */
function isPermanent(error: unknown): error is Error & { code?: string } {
  if (error instanceof UnknownStoreError || error instanceof MalformedCallError) return true;
  return error instanceof PlatformError && (error.kind === "rejected" || error.kind === "unauthorized" || error.kind === "not_found");
}

/**
 * The BullMQ worker of the `platform-calls` queue: calls a platform makes later on the
 * order path (today: cancel a bypass order under the sale's "cancel" policy), through the
 * store directory, so every call has the store's timeout, retries and circuit breaker.
 *
 * - An open breaker or throttling puts the job back as delayed until the breaker may let a
 *   test call through or the budget allows; this spends no attempt, so an outage of any
 *   length never sends a call to the dead-letter queue.
 * - Other transient failures are retried with jittered exponential backoff; after the last
 *   attempt the job goes to the dead-letter queue (`holdfast dlq list|replay`).
 * - Permanent failures (see isPermanent) go to the dead-letter queue at once.
 */
export class PlatformCallWorker {
  readonly worker: Worker;
  private readonly runner: QueueRunner;
  private readonly logger: Logger;

  constructor(private readonly options: PlatformCallWorkerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.runner = new QueueRunner(
      {
        queues: options.queues,
        queue: QUEUE_NAMES.platformCalls,
        label: "platform-call",
        logger: this.logger,
        concurrency: options.concurrency ?? 10,
        lockDurationMs: options.lockDurationMs ?? 60_000,
        ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
        maxStalledCount: 2,
        ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      },
      (job, token) => this.run(job, token),
    );
    this.worker = this.runner.worker;
    deadLetterUnseenFailures(this.worker, options.deadLetters, QUEUE_NAMES.platformCalls, this.logger);
  }

  start(): void {
    this.runner.start();
  }

  async close(force = false): Promise<void> {
    await this.runner.close(force);
  }

  private async run(job: Job, token: string | undefined): Promise<PlatformCallResult> {
    try {
      const call = parseCall(job.data);
      const platform = await this.options.platforms.forStore(call.storeId);
      try {
        await platform.cancelOrder(call.platformOrderRef, call.reason);
      } catch (error) {
        throw outageAfter(error, this.options.breakers, call.storeId, platform.kind) ?? error;
      }
      this.logger.info("platform order cancelled", { storeId: call.storeId, saleId: call.saleId, platformOrderRef: call.platformOrderRef });
      return { type: call.type, storeId: call.storeId, platformOrderRef: call.platformOrderRef, outcome: "done" };
    } catch (error) {
      const wait = deferralMs(error);
      if (wait !== null) {
        this.logger.info("platform call deferred", { jobId: job.id, waitMs: wait, reason: error instanceof Error ? error.message : String(error) });
        return deferJob(job, token, wait);
      }
      const permanent = isPermanent(error);
      const message = error instanceof Error ? error.message : String(error);
      const described = permanent && error.code ? `${error.code}: ${message}` : message;
      return failJob({
        job,
        queue: QUEUE_NAMES.platformCalls,
        deadLetters: this.options.deadLetters,
        logger: this.logger,
        label: "platform call failed",
        error,
        permanent,
        described,
      });
    }
  }
}

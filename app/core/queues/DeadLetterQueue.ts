import type { Job } from "bullmq";

import { digest, HoldfastQueues, isQueueName, QUEUE_NAMES, type QueueName } from "./queues.ts";

/** A job that failed for good, as the dead-letter queue keeps it. */
export interface DeadLetter {
  /** The dead letter's own id (what `dlq replay <id>` takes). */
  id: string;
  /** The queue the job belongs to, and goes back to on replay. */
  queue: QueueName;
  /** The job's id in that queue; null when it never became a job (refused at intake). */
  jobId: string | null;
  /** The job's name in that queue. */
  name: string;
  /** The job's data, e.g. the order event. */
  data: unknown;
  error: string;
  failedAt: number;
  attemptsMade: number;
}

export type NewDeadLetter = Omit<DeadLetter, "id">;

/** A dead letter with the current state of its original job ("missing" once removed). */
export interface ListedDeadLetter extends DeadLetter {
  jobState: string;
}

export type ReplayOutcome = "replayed" | "already_queued" | "not_found";

export interface ReplayResult {
  id: string;
  outcome: ReplayOutcome;
  queue?: QueueName;
  jobId?: string;
}

const LIVE_STATES = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);

/**
 * The dead-letter queue: a BullMQ queue that no worker consumes, holding jobs that failed
 * after their last attempt, or at once for a reason no retry can fix. Adding is idempotent
 * (the dead letter's id is derived from the queue and job id), so the processor and the
 * worker's `failed` handler may both report the same failure. Replay puts the job back on its
 * queue under its original id, with fresh attempts, and removes the dead letter.
 */
export class DeadLetterQueue {
  constructor(private readonly queues: HoldfastQueues) {}

  private get queue() {
    return this.queues.queue(QUEUE_NAMES.deadLetter);
  }

  static idOf(queue: QueueName, jobId: string | null, data: unknown): string {
    return `dl-${queue}.${jobId ?? `d${digest(JSON.stringify(data) ?? "")}`}`;
  }

  async add(letter: NewDeadLetter): Promise<DeadLetter> {
    const stored: DeadLetter = { id: DeadLetterQueue.idOf(letter.queue, letter.jobId, letter.data), ...letter };
    await this.queue.add(letter.queue, stored, { jobId: stored.id });
    return stored;
  }

  async get(id: string): Promise<DeadLetter | null> {
    const job = await this.queue.getJob(id);
    return job ? toDeadLetter(job) : null;
  }

  /** Oldest first. */
  async list(options: { limit?: number } = {}): Promise<ListedDeadLetter[]> {
    const jobs = await this.queue.getJobs(["waiting", "delayed", "prioritized"], 0, (options.limit ?? 1_000) - 1, true);
    const letters = jobs.map(toDeadLetter).filter((letter): letter is DeadLetter => letter !== null);
    return Promise.all(
      letters.map(async (letter) => ({
        ...letter,
        jobState: letter.jobId === null ? "missing" : normaliseState(await this.queues.queue(letter.queue).getJobState(letter.jobId)),
      })),
    );
  }

  async replay(id: string): Promise<ReplayResult> {
    const job = await this.queue.getJob(id);
    const letter = job ? toDeadLetter(job) : null;
    if (!job || !letter) return { id, outcome: "not_found" };
    const target = this.queues.queue(letter.queue);
    let outcome: ReplayOutcome = "replayed";
    const original = letter.jobId === null ? undefined : await target.getJob(letter.jobId);
    const state = original ? await original.getState() : "missing";
    if (original && LIVE_STATES.has(state)) {
      outcome = "already_queued";
    } else if (original && state === "failed") {
      // Back to waiting under the same id, with all attempts available again.
      await original.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
    } else {
      // Gone (removed by retention), completed after all, or never a job: queue it anew.
      if (original) await original.remove();
      await target.add(letter.name, letter.data, letter.jobId === null ? {} : { jobId: letter.jobId });
    }
    await job.remove();
    return { id, outcome, queue: letter.queue, ...(letter.jobId === null ? {} : { jobId: letter.jobId }) };
  }

  async replayAll(): Promise<ReplayResult[]> {
    const results: ReplayResult[] = [];
    for (const letter of await this.list()) results.push(await this.replay(letter.id));
    return results;
  }
}

function normaliseState(state: string): string {
  return state === "unknown" ? "missing" : state;
}

function toDeadLetter(job: Job): DeadLetter | null {
  const data = job.data as Partial<DeadLetter> | null;
  if (!data || typeof data.queue !== "string" || !isQueueName(data.queue) || typeof data.name !== "string") return null;
  return {
    id: job.id ?? data.id ?? "",
    queue: data.queue,
    jobId: typeof data.jobId === "string" ? data.jobId : null,
    name: data.name,
    data: data.data,
    error: String(data.error ?? ""),
    failedAt: Number(data.failedAt ?? job.timestamp),
    attemptsMade: Number(data.attemptsMade ?? 0),
  };
}

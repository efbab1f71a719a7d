import { Worker, type Job } from "bullmq";

import { systemClock, type Clock } from "../clock.ts";
import { silentLogger, type Logger } from "../logger.ts";
import { HoldfastQueues, jobIdFor, QUEUE_NAMES } from "../queues/queues.ts";
import type { RoomState } from "./types.ts";
import type { WaitingRoom } from "./WaitingRoom.ts";
import { QueueRunner } from "../queues/QueueRunner.ts";

/**
 * The `sale-lifecycle` queue: one BullMQ delayed job per scheduled transition of a sale
 * (pre-queue, start, end), so a transition happens at its time without a loop polling every
 * room, and a job scheduler for the hold-expiry sweep. The admission controller's loop still
 * applies schedules and sweeps as the safety net; every transition is idempotent (the room
 * moves only forward, and only when its own schedule says the time has come).
 */

export type ScheduledTarget = "prequeue" | "live" | "ended";

/** What the scheduler needs of a sale: its state and schedule (SaleService passes its Sale). */
export interface ScheduledSale {
  id: string;
  state: string;
  schedule: { prequeueAt: number | null; startsAt: number | null; endsAt: number | null };
}

export interface TransitionJob {
  saleId: string;
  target: ScheduledTarget;
  /** When it was due, as scheduled: a job left over from an older schedule does nothing. */
  at: number;
}

const TARGETS: readonly { target: ScheduledTarget; time: keyof ScheduledSale["schedule"]; from: readonly string[] }[] = [
  { target: "prequeue", time: "prequeueAt", from: ["scheduled"] },
  { target: "live", time: "startsAt", from: ["scheduled", "prequeue"] },
  { target: "ended", time: "endsAt", from: ["scheduled", "prequeue", "live", "paused"] },
];

export const EXPIRY_SWEEP_SCHEDULER = "expiry-sweep";

/** Job id of one sale's transition: an edit replaces it, ending the sale removes it. */
export function transitionJobId(saleId: string, target: ScheduledTarget): string {
  return jobIdFor("lc", `${saleId}.${target}`);
}

/** The producer side: SaleService calls `saleChanged` after every create, edit and state change. */
export class SaleLifecycle {
  private readonly clock: Clock;

  constructor(
    private readonly queues: HoldfastQueues,
    options: { clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  private get queue() {
    return this.queues.queue(QUEUE_NAMES.saleLifecycle);
  }

  /** Puts each transition the sale still has ahead at its time; drops the ones it no longer has. */
  async saleChanged(sale: ScheduledSale): Promise<void> {
    const now = this.clock.now();
    for (const { target, time, from } of TARGETS) {
      const at = sale.schedule[time];
      const jobId = transitionJobId(sale.id, target);
      // Remove first: a completed or older job under this id would swallow the new add.
      await this.queue.remove(jobId);
      if (at === null || !from.includes(sale.state)) continue;
      const data: TransitionJob = { saleId: sale.id, target, at };
      await this.queue.add(target, data, { jobId, delay: Math.max(0, at - now) });
    }
  }

  /** Every transition job of the sale, for inspection and tests. */
  async pending(saleId: string): Promise<Record<ScheduledTarget, number | null>> {
    const result = { prequeue: null, live: null, ended: null } as Record<ScheduledTarget, number | null>;
    for (const { target } of TARGETS) {
      const job = await this.queue.getJob(transitionJobId(saleId, target));
      if (job && (await job.isDelayed())) result[target] = (job.data as TransitionJob).at;
    }
    return result;
  }

  /** The expiry sweep as a BullMQ job scheduler (one across all workers; upserting keeps one). */
  async installSweep(everyMs: number): Promise<void> {
    await this.queue.upsertJobScheduler(EXPIRY_SWEEP_SCHEDULER, { every: everyMs }, { name: "sweep", data: {} });
  }
}

export interface LifecycleWorkerOptions {
  queues: HoldfastQueues;
  room: WaitingRoom;
  /** Ends up to `max` expired holds of a sale; `more` asks for another round. */
  expireHolds: (saleId: string) => Promise<{ ended: number; more: boolean }>;
  /** Told about each transition it made, so the durable sale record follows. */
  onScheduledTransition?: (saleId: string, state: RoomState) => Promise<void> | void;
  clock?: Clock;
  logger?: Logger;
}

/** The consumer: applies transitions that are due and sweeps expired holds. */
export class SaleLifecycleWorker {
  readonly worker: Worker;
  private readonly runner: QueueRunner;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly options: LifecycleWorkerOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.runner = new QueueRunner(
      {
        queues: options.queues,
        queue: QUEUE_NAMES.saleLifecycle,
        label: "lifecycle",
        logger: this.logger,
        concurrency: 4,
      },
      (job) => this.run(job),
    );
    this.worker = this.runner.worker;
  }

  start(): void {
    this.runner.start();
  }

  async close(): Promise<void> {
    await this.runner.close();
  }

  private async run(job: Job): Promise<string> {
    if (job.name === "sweep") return `ended ${await this.sweep()}`;
    return this.transition(job.data as TransitionJob);
  }

  private async transition({ saleId, target, at }: TransitionJob): Promise<string> {
    const view = await this.options.room.view(saleId);
    if (!view) return "no_room";
    const due = target === "prequeue" ? view.prequeueAt : target === "live" ? view.startsAt : view.endsAt;
    // An older schedule's job (the edit that replaced it raced this run): the current job will come.
    if (due !== at) return "rescheduled";
    if (due > this.clock.now()) throw new Error(`transition ${target} of ${saleId} is not due yet`);
    const from = TARGETS.find((candidate) => candidate.target === target)?.from ?? [];
    if (!from.includes(view.state)) return `already_${view.state}`;
    const result = await this.options.room.transition(saleId, target);
    if (result.outcome !== "ok") return result.outcome;
    this.logger.info("scheduled sale state change", { saleId, state: target, lateMs: this.clock.now() - at });
    await this.options.onScheduledTransition?.(saleId, target);
    return target;
  }

  private async sweep(): Promise<number> {
    let ended = 0;
    for (const saleId of await this.options.room.activeRooms()) {
      for (let round = 0; round < 20; round++) {
        const result = await this.options.expireHolds(saleId);
        ended += result.ended;
        if (!result.more) break;
      }
    }
    return ended;
  }
}

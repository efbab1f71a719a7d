import { Worker, type Job } from "bullmq";

import { silentLogger, type Logger } from "../logger.ts";
import { HoldfastQueues, QUEUE_NAMES } from "../queues/queues.ts";
import { deferJob, deferralMs } from "../queues/deferral.ts";
import type { Reconciler, Reconciliation } from "./Reconciler.ts";
import type { SyncCatalog } from "./SyncCatalog.ts";
import type { WriteBackJournal } from "./WriteBackJournal.ts";
import { QueueRunner } from "../queues/QueueRunner.ts";

export const RECONCILIATION_SCHEDULER = "reconciliation-sweep";
export const DEFAULT_RECONCILE_INTERVAL_MS = 5 * 60_000;

const JOB = { sweep: "sweep", reconcile: "reconcile" } as const;

export interface ReconciliationWorkerOptions {
  queues: HoldfastQueues;
  reconciler: Reconciler;
  catalog: SyncCatalog;
  /** The write-back's audit trail, pruned by each sweep. */
  journal?: WriteBackJournal;
  /** How long write-back entries are kept (ms); default 7 days. */
  journalRetentionMs?: number;
  logger?: Logger;
  /** How often every syncing sale is reconciled (and its platform stock repaired); default 5 minutes. */
  intervalMs?: number;
  concurrency?: number;
}

/** What a reconcile job returns (kept with the completed job): the drift found, per item. */
export interface ReconcileJobResult {
  saleId: string;
  driftCount: number;
  drift: { itemId: string; kinds: string[] }[];
  repaired: string[];
}

/**
 * Scheduled reconciliation on the `reconciliation` queue: a job scheduler (one for all worker
 * processes) adds a `sweep` every interval, which queues a `reconcile` per syncing sale
 * (deduplicated per sale); each compares Redis, the ledger, SQL orders and the platform and
 * repairs platform stock through the write-back. An open breaker defers the job.
 */
export class ReconciliationWorker {
  readonly worker: Worker;
  readonly intervalMs: number;
  private readonly runner: QueueRunner;
  private readonly logger: Logger;

  constructor(private readonly options: ReconciliationWorkerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.intervalMs = options.intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS;
    if (!Number.isFinite(this.intervalMs) || this.intervalMs < 100) throw new RangeError("intervalMs must be at least 100");
    this.runner = new QueueRunner(
      {
        queues: options.queues,
        queue: QUEUE_NAMES.reconciliation,
        label: "reconciliation",
        logger: this.logger,
        concurrency: options.concurrency ?? 2,
        lockDurationMs: 60_000,
      },
      (job, token) => this.run(job, token),
    );
    this.worker = this.runner.worker;
  }

  private get queue() {
    return this.options.queues.queue(QUEUE_NAMES.reconciliation);
  }

  async start(): Promise<void> {
    await this.queue.upsertJobScheduler(
      RECONCILIATION_SCHEDULER,
      { every: this.intervalMs },
      { name: JOB.sweep, opts: { removeOnComplete: true, removeOnFail: { count: 100 }, attempts: 1 } },
    );
    this.runner.start();
  }

  async close(force = false): Promise<void> {
    await this.runner.close(force);
  }

  /** Queues a reconcile (with repair) for every syncing sale, and prunes the write-back's audit trail. */
  async sweep(): Promise<number> {
    if (this.options.journal) {
      const before = new Date(Date.now() - (this.options.journalRetentionMs ?? 7 * 24 * 3_600_000));
      await this.options.journal.prune(before).catch((error: unknown) => this.logger.warn("cannot prune the write-back log", { error: String(error) }));
    }
    const sales = await this.options.catalog.salesToSync();
    for (const saleId of sales) await this.requestReconcile(saleId);
    return sales.length;
  }

  async requestReconcile(saleId: string): Promise<void> {
    await this.queue.add(
      JOB.reconcile,
      { saleId },
      { deduplication: { id: `reconcile.${saleId}` }, removeOnComplete: { count: 500 }, removeOnFail: { count: 500 } },
    );
  }

  private async run(job: Job, token: string | undefined): Promise<number | ReconcileJobResult> {
    if (job.name === JOB.sweep) return this.sweep();
    if (job.name !== JOB.reconcile) throw new Error(`unknown reconciliation job ${job.name}`);
    const saleId = (job.data as { saleId?: unknown }).saleId;
    if (typeof saleId !== "string") throw new Error("a reconcile job needs a saleId");
    let report: Reconciliation;
    try {
      report = await this.options.reconciler.reconcile(saleId, { repair: true });
    } catch (error) {
      const wait = deferralMs(error);
      if (wait === null) throw error;
      return deferJob(job, token, wait);
    }
    return {
      saleId,
      driftCount: report.driftCount,
      drift: report.items.filter((item) => item.drift.length > 0).map((item) => ({ itemId: item.itemId, kinds: item.drift.map((drift) => drift.kind) })),
      repaired: report.repair?.items ?? [],
    };
  }
}

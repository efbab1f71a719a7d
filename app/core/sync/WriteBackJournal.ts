/** One stock-write call of the write-back, as the audit trail keeps it. */
export interface WriteBackEntry {
  saleId: string;
  storeId: string;
  idempotencyKey: string;
  items: number;
  outcome: "written" | "refused" | "failed";
  error: string | null;
  durationMs: number;
}

/**
 * Where each platform call of the write-back is recorded (SQL `WriteBackLog` in the app). An
 * audit trail only: the write-back never reads it, and a failure to record never fails a flush.
 */
export interface WriteBackJournal {
  record(entry: WriteBackEntry): Promise<void>;
  /** Deletes entries older than `before`; returns how many. */
  prune(before: Date): Promise<number>;
}

// Kept free of vitest imports: child processes (test/worker/*.child.ts) use it too.
import { JITTERED_BACKOFF } from "../../../app/core/queues/index.ts";

/** Short retries for tests: 3 attempts, 20-40 ms apart at first. */
export const TEST_ORDER_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: JITTERED_BACKOFF, delay: 40 },
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 3600 },
};

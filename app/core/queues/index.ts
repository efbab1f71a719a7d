// The queue kit every background worker is built from: the queues and their hash-tagged
// prefixes, how a queue is consumed (QueueRunner), the retry backoff, deferral on an open
// breaker or throttling (a wait that spends no attempt), and the dead-letter queue.
export { addOnce, type AddOnce } from "./addOnce.ts";
export { queueRetryBackoff, type QueueRetryBackoffOptions } from "./backoff.ts";
export { DeadLetterQueue, type DeadLetter, type ListedDeadLetter, type NewDeadLetter, type ReplayOutcome, type ReplayResult } from "./DeadLetterQueue.ts";
export { deferJob, deferralMs, outageAfter, type BreakerLookup } from "./deferral.ts";
export { deadLetterJob, deadLetterUnseenFailures, failJob, type FailedRun } from "./failurePolicy.ts";
export { QueueRunner, type QueueRunnerOptions } from "./QueueRunner.ts";
export {
  DEFAULT_QUEUE_NAMESPACE,
  digest,
  HoldfastQueues,
  isQueueName,
  JITTERED_BACKOFF,
  jobIdFor,
  QUEUE_NAMES,
  queueNamespaceFromEnv,
  queuePrefix,
  replicaAcksFromEnv,
  ReplicationLagError,
  workerConnection,
  type HoldfastQueuesOptions,
  type ReplicaAcks,
  type QueueName,
} from "./queues.ts";

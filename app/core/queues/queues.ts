import { createHash } from "node:crypto";

import { Queue, type JobsOptions } from "bullmq";
import { Cluster } from "ioredis";

import type { RedisClient } from "../redis.ts";
import { queuePrefixKey } from "../keys.ts";

/**
 * Every BullMQ queue of Holdfast, named in one place.
 *
 * Redis Cluster: BullMQ's scripts touch several keys of one queue at once, so all keys of a
 * queue must share a hash slot. Each queue gets its own hash tag in its prefix,
 * `{<namespace>:<queue>}` (keys look like `{hf:order-events}:order-events:wait`), rather than
 * one `{hf}` tag for all of them: no BullMQ operation spans two queues (moving a job to the
 * dead-letter queue or enqueueing a platform call are separate adds anyway), so one shared
 * slot would buy no atomicity and would pin every queue's traffic on one master. Per-queue
 * tags spread the order, write-back and platform-call queues over the cluster.
 */
export const QUEUE_NAMES = {
  /** Verified webhook deliveries, raw: the worker maps them to order events (PlatformEventWorker). */
  platformEvents: "platform-events",
  orderEvents: "order-events",
  /** Headless checkouts: capture payment, create the platform order, commit the hold. */
  checkout: "checkout",
  /** Calls to a platform for a worker to make later (cancel an order, ...). */
  platformCalls: "platform-calls",
  writeBack: "write-back",
  /** Scheduled pre-queue/start/end and the hold-expiry sweep. */
  saleLifecycle: "sale-lifecycle",
  reconciliation: "reconciliation",
  /** Jobs that failed for good, waiting for an operator (`holdfast dlq list|replay`). */
  deadLetter: "dead-letter",
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

const KNOWN_QUEUES = new Set<string>(Object.values(QUEUE_NAMES));

export function isQueueName(name: string): name is QueueName {
  return KNOWN_QUEUES.has(name);
}

export const DEFAULT_QUEUE_NAMESPACE = "hf";
const NAMESPACE_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

/** `HOLDFAST_QUEUE_NAMESPACE` (tests and side-by-side deployments), default `hf`. */
export function queueNamespaceFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return assertNamespace(env.HOLDFAST_QUEUE_NAMESPACE?.trim() || DEFAULT_QUEUE_NAMESPACE);
}

function assertNamespace(namespace: string): string {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new Error(`queue namespace "${namespace}" must be 1-40 characters of A-Z, a-z, 0-9, '_' or '-'`);
  }
  return namespace;
}

/** The BullMQ prefix of one queue: a hash tag of its own (see QUEUE_NAMES). */
export function queuePrefix(namespace: string, queue: QueueName): string {
  return queuePrefixKey(assertNamespace(namespace), queue);
}

const SAFE_JOB_ID = /^[A-Za-z0-9_.-]{1,120}$/;

/**
 * A BullMQ job id for an external reference (an event id, an order reference). BullMQ refuses
 * ids with ':' and ids that are integers; a kind prefix rules out the latter, and references
 * that are not plain become a digest (with a different prefix, so the two forms never meet).
 */
export function jobIdFor(kind: string, ref: string): string {
  return SAFE_JOB_ID.test(ref) ? `${kind}-${ref}` : `${kind}_h${digest(ref)}`;
}

export function digest(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 40);
}

/**
 * BullMQ workers block on Redis and insist on `maxRetriesPerRequest: null`; the app's
 * connections fail fast instead (3). Workers get a copy of the app's connection with that
 * one setting changed; queues (producers) keep using the app's connection, so an enqueue
 * fails quickly when Redis is away instead of hanging a webhook.
 */
export function workerConnection(redis: RedisClient): RedisClient {
  if (redis instanceof Cluster) {
    return redis.duplicate(undefined, { redisOptions: { ...redis.options.redisOptions, maxRetriesPerRequest: null } });
  }
  return redis.duplicate({ maxRetriesPerRequest: null });
}

/**
 * Replicas that must have an enqueue before it counts as accepted (Redis `WAIT`). Redis
 * replicates asynchronously: without it, a master killed right after answering loses the jobs
 * its replica had not received yet, and the replica that takes over never saw them.
 */
export interface ReplicaAcks {
  replicas: number;
  timeoutMs: number;
}

/** `REDIS_WAIT_REPLICAS` (default 0: answer without waiting, for a Redis with no replicas). */
export function replicaAcksFromEnv(env: NodeJS.ProcessEnv = process.env): ReplicaAcks | undefined {
  const raw = env.REDIS_WAIT_REPLICAS?.trim();
  if (!raw) return undefined;
  const replicas = Number(raw);
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > 16) throw new Error(`REDIS_WAIT_REPLICAS "${raw}" must be an integer from 0 to 16`);
  return replicas === 0 ? undefined : { replicas, timeoutMs: 1_000 };
}

/** Fewer replicas than asked confirmed an enqueue in time: do not acknowledge it to the sender (it retries). */
export class ReplicationLagError extends Error {
  constructor(
    readonly acknowledged: number,
    readonly wanted: number,
  ) {
    super(`enqueue reached ${acknowledged} of ${wanted} replicas in time`);
    this.name = "ReplicationLagError";
  }
}

export interface HoldfastQueuesOptions {
  /** Default `hf`; tests use a unique one so parallel runs never share a queue. */
  namespace?: string;
  /** Default: none (see ReplicaAcks). */
  replicaAcks?: ReplicaAcks;
  /** Replaces a queue's default job options (tests: fewer attempts, shorter backoff). */
  jobOptions?: Partial<Record<QueueName, JobsOptions>>;
}

/** How long finished jobs stay, which is also how long BullMQ's job-id dedup remembers them. */
const DAY_SECONDS = 24 * 60 * 60;

/** Name of the custom backoff strategy (see backoff.ts), registered by every worker. */
export const JITTERED_BACKOFF = "holdfast-jittered";

const DEFAULT_JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  // Mapping needs SQL and perhaps one Admin API call: retried through an outage of either.
  [QUEUE_NAMES.platformEvents]: {
    attempts: 10,
    backoff: { type: JITTERED_BACKOFF, delay: 1_000 },
    removeOnComplete: { age: 3 * DAY_SECONDS, count: 100_000 },
    removeOnFail: { age: 30 * DAY_SECONDS },
  },
  [QUEUE_NAMES.orderEvents]: {
    attempts: 8,
    backoff: { type: JITTERED_BACKOFF, delay: 1_000 },
    removeOnComplete: { age: 3 * DAY_SECONDS, count: 100_000 },
    // Failed jobs are also in the dead-letter queue; keep them for the operator a while.
    removeOnFail: { age: 30 * DAY_SECONDS },
  },
  // A checkout's steps are idempotent by order id; a platform outage may take a while to pass.
  [QUEUE_NAMES.checkout]: {
    attempts: 10,
    backoff: { type: JITTERED_BACKOFF, delay: 1_000 },
    removeOnComplete: { age: 7 * DAY_SECONDS },
    removeOnFail: { age: 30 * DAY_SECONDS },
  },
  [QUEUE_NAMES.platformCalls]: {
    attempts: 10,
    backoff: { type: JITTERED_BACKOFF, delay: 2_000 },
    removeOnComplete: { age: 7 * DAY_SECONDS },
    removeOnFail: { age: 30 * DAY_SECONDS },
  },
  [QUEUE_NAMES.writeBack]: { attempts: 8, backoff: { type: JITTERED_BACKOFF, delay: 1_000 }, removeOnComplete: { age: DAY_SECONDS } },
  [QUEUE_NAMES.saleLifecycle]: { attempts: 8, backoff: { type: JITTERED_BACKOFF, delay: 1_000 }, removeOnComplete: { age: DAY_SECONDS } },
  [QUEUE_NAMES.reconciliation]: { attempts: 3, backoff: { type: JITTERED_BACKOFF, delay: 5_000 }, removeOnComplete: { age: DAY_SECONDS } },
  // Dead letters wait for an operator; nothing processes this queue.
  [QUEUE_NAMES.deadLetter]: { attempts: 1 },
};

/**
 * The producer side of every queue: one BullMQ `Queue` per name, created on first use over
 * the app's connection, with the queue's default job options (attempts, backoff, retention).
 */
export class HoldfastQueues {
  readonly namespace: string;
  readonly replicaAcks: ReplicaAcks | undefined;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly jobOptions: Record<QueueName, JobsOptions>;

  constructor(
    readonly redis: RedisClient,
    options: HoldfastQueuesOptions = {},
  ) {
    this.namespace = assertNamespace(options.namespace ?? DEFAULT_QUEUE_NAMESPACE);
    this.replicaAcks = options.replicaAcks;
    this.jobOptions = { ...DEFAULT_JOB_OPTIONS, ...options.jobOptions };
  }

  prefix(name: QueueName): string {
    return queuePrefix(this.namespace, name);
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.redis, prefix: this.prefix(name), defaultJobOptions: this.jobOptions[name] });
      // Errors surface on the calls that hit them; this keeps Node from crashing on the event.
      queue.on("error", () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Closes the queues; the connection belongs to the caller. */
  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((queue) => queue.close()));
  }
}

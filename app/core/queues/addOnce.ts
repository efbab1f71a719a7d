import type { ChainableCommander } from "ioredis";

import { intakeSeenKey } from "../keys.ts";
import { ReplicationLagError, type HoldfastQueues, type QueueName, type ReplicaAcks } from "./queues.ts";

export interface AddOnce {
  queue: QueueName;
  /** BullMQ's job name. */
  name: string;
  data: unknown;
  /** Derived from the sender's id of the thing (an event id, a webhook id): the same id, the same job. */
  jobId: string;
  /** How long the id is remembered after BullMQ has removed its job. */
  windowSeconds: number;
}

/**
 * Adds a job at most once per id, twice over: the BullMQ job id makes an add while the job
 * exists a no-op, and a marker `SET` with a TTL remembers the id after BullMQ has removed the
 * finished job (platforms redeliver for days: Shopify retries a webhook for 48 hours). The
 * marker is written after the add, so a crash between the two loses nothing (the next add
 * adds again, and the job id absorbs it).
 *
 * With `replicaAcks`, the answer waits until that many replicas have the job: `WAIT` after the
 * marker's write. A master replicates in order, so a replica that has the marker has the add
 * made before it. A duplicate renews the marker and waits too: its first add may have been
 * answered with a ReplicationLagError, and this retry must not be acknowledged before a
 * replica has it.
 */
export async function addOnce(queues: HoldfastQueues, add: AddOnce): Promise<"queued" | "duplicate"> {
  // Same slot as the queue (its hash tag), so a Cluster keeps them together.
  const marker = intakeSeenKey(queues.prefix(add.queue), add.jobId);
  if ((await queues.redis.exists(marker)) === 1) {
    if (queues.replicaAcks) await replicated(queues.replicaAcks, queues.redis.pipeline().expire(marker, add.windowSeconds));
    return "duplicate";
  }
  await queues.queue(add.queue).add(add.name, add.data, { jobId: add.jobId });
  const fresh =
    queues.replicaAcks === undefined
      ? await queues.redis.set(marker, String(Date.now()), "EX", add.windowSeconds, "NX")
      : await replicated(queues.replicaAcks, queues.redis.pipeline().set(marker, String(Date.now()), "EX", add.windowSeconds, "NX"));
  return fresh === null ? "duplicate" : "queued";
}

/**
 * Runs a one-write pipeline followed by `WAIT`, and answers the write's reply once enough
 * replicas have it. One pipeline, one slot (the write's key): a Cluster sends the keyless
 * WAIT to the same node, over the connection that made the write.
 */
async function replicated(acks: ReplicaAcks, pipeline: ChainableCommander): Promise<unknown> {
  const replies = await pipeline.call("WAIT", acks.replicas, acks.timeoutMs).exec();
  const [[writeError, written] = [null, null], [waitError, replicas] = [null, 0]] = replies ?? [];
  if (writeError ?? waitError) throw writeError ?? waitError;
  if (Number(replicas) < acks.replicas) throw new ReplicationLagError(Number(replicas), acks.replicas);
  return written;
}

import { intakeSeenKey } from "../keys.ts";
import { ReplicationLagError, type HoldfastQueues, type QueueName } from "./queues.ts";

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
 * adds again, and the job id absorbs it). With `replicaAcks`, the answer waits until that
 * many replicas have the job (`WAIT` after the marker, on the marker's node and connection:
 * it covers every earlier write of the connection, the add included).
 */
export async function addOnce(queues: HoldfastQueues, add: AddOnce): Promise<"queued" | "duplicate"> {
  // Same slot as the queue (its hash tag), so a Cluster keeps them together.
  const marker = intakeSeenKey(queues.prefix(add.queue), add.jobId);
  if ((await queues.redis.exists(marker)) === 1) return "duplicate";
  await queues.queue(add.queue).add(add.name, add.data, { jobId: add.jobId });
  const acks = queues.replicaAcks;
  if (acks === undefined) {
    const fresh = await queues.redis.set(marker, String(Date.now()), "EX", add.windowSeconds, "NX");
    return fresh === null ? "duplicate" : "queued";
  }
  // One pipeline, one slot (the marker's): a Cluster sends the keyless WAIT to the same node.
  const replies = await queues.redis
    .pipeline()
    .set(marker, String(Date.now()), "EX", add.windowSeconds, "NX")
    .call("WAIT", acks.replicas, acks.timeoutMs)
    .exec();
  const [[setError, fresh] = [null, null], [waitError, replicas] = [null, 0]] = replies ?? [];
  if (setError ?? waitError) throw setError ?? waitError;
  if (Number(replicas) < acks.replicas) throw new ReplicationLagError(Number(replicas), acks.replicas);
  return fresh === null ? "duplicate" : "queued";
}

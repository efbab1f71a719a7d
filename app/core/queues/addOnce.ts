import { intakeSeenKey } from "../keys.ts";
import type { HoldfastQueues, QueueName } from "./queues.ts";

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
 */
export async function addOnce(queues: HoldfastQueues, add: AddOnce): Promise<"queued" | "duplicate"> {
  // Same slot as the queue (its hash tag), so a Cluster keeps them together.
  const marker = intakeSeenKey(queues.prefix(add.queue), add.jobId);
  if ((await queues.redis.exists(marker)) === 1) return "duplicate";
  await queues.queue(add.queue).add(add.name, add.data, { jobId: add.jobId });
  const fresh = await queues.redis.set(marker, String(Date.now()), "EX", add.windowSeconds, "NX");
  return fresh === null ? "duplicate" : "queued";
}

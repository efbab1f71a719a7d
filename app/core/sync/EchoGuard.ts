import type { RedisClient } from "../redis.ts";
import { echoKey } from "../keys.ts";

export const DEFAULT_ECHO_TTL_MS = 5 * 60_000;

/**
 * Remembers what the write-back sent to each platform reference, for a while, so a platform
 * stock webhook that only reports our own write is recognised and not applied back (which
 * would loop: our write -> webhook -> "external change" -> our write...).
 *
 * Every value written within the TTL counts, not only the last one: webhooks arrive late and
 * out of order, so the report of an older write may come after a newer write. The price: a
 * genuine change on the platform to exactly a value we wrote within the TTL is taken for an
 * echo. The next flush (or reconciliation) still makes the platform equal Holdfast's count.
 *
 * Values are remembered before the write is sent: the webhook may beat the answer.
 */
export class EchoGuard {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs: number = DEFAULT_ECHO_TTL_MS,
  ) {}

  async remember(storeId: string, writes: readonly { ref: string; available: number }[], now = Date.now()): Promise<void> {
    if (writes.length === 0) return;
    // One store's keys share a hash tag, so one pipeline is one slot on a Cluster.
    const pipeline = this.redis.pipeline();
    for (const write of writes) {
      const key = echoKey(storeId, write.ref);
      pipeline.zremrangebyscore(key, "-inf", now);
      pipeline.zadd(key, now + this.ttlMs, String(write.available));
      pipeline.pexpire(key, this.ttlMs);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  /** True when `available` is a value we wrote to `ref` within the TTL. */
  async isEcho(storeId: string, ref: string, available: number, now = Date.now()): Promise<boolean> {
    const until = await this.redis.zscore(echoKey(storeId, ref), String(available));
    return until !== null && Number(until) > now;
  }
}

// What the admin pages' server code needs of the running app. The Remix load context carries
// it (see context.server.ts); tests build it from real parts.
import type { Clock } from "../core/clock.ts";
import type { RedisClient } from "../core/redis.ts";
import type { BreakerSnapshot } from "../core/resilience/index.ts";
import type { SaleService } from "../core/sales/index.ts";
import type { WaitingRoom } from "../core/waiting-room/index.ts";
import type { Db } from "../db/client.server.ts";

export interface DropsDeps {
  sales: SaleService;
  room: WaitingRoom;
  redis: RedisClient;
  db: Db;
  clock: Clock;
  /** The in-process worker's circuit breakers; absent when the worker runs in another process. */
  breakers?: () => readonly BreakerSnapshot[];
}

/**
 * Whose drops a page may see and change: the embedded app sees its shop's store only; the
 * console (admin token) sees every drop.
 */
export type DropsScope = { kind: "store"; storeId: string } | { kind: "all" };

import type { AppParts } from "../composition/web.server.ts";
import type { Logger } from "../core/logger.ts";
import type { OrderIntake, PlatformEvent } from "../core/orders/index.ts";
import type { HoldfastQueues } from "../core/queues/index.ts";
import type { BreakerSnapshot } from "../core/resilience/index.ts";

/**
 * What every Remix loader and action gets as `context.holdfast`: the process's own parts
 * (one Redis connection, one Prisma client, one queue producer), handed over by
 * app/remix.server.ts, so routes never open connections of their own. Tests pass their own.
 */
export interface HoldfastContext extends Pick<AppParts, "redis" | "db" | "holds" | "room" | "sales" | "masterKey"> {
  /** Where order events are enqueued (deduplicated by event id). */
  intake: OrderIntake;
  /** Where webhook routes enqueue verified deliveries (orders, stock levels, products), raw, one job per webhook id; the worker reads them. */
  platformEvents: { enqueue(event: PlatformEvent): Promise<unknown> };
  /** The producers, for the other queues (stock intake, write-back echo checks). */
  queues: HoldfastQueues;
  /** The in-process worker's circuit breakers (the live dashboard shows its store's); absent when the worker runs elsewhere. */
  breakers?: () => readonly BreakerSnapshot[];
  logger: Logger;
}

declare module "@remix-run/server-runtime" {
  interface AppLoadContext {
    holdfast: HoldfastContext;
  }
}

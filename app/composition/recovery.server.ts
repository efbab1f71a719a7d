// Recovery from an empty or replaced Redis (core/recovery), wired once for the worker (on
// start) and the CLI (`npm run holdfast -- recover`), so both rebuild with the same parts.
import { CheckoutQueue, CheckoutStore, type PaymentProvider } from "../core/checkout/index.ts";
import type { HoldEngine } from "../core/inventory/index.ts";
import { silentLogger, type Logger } from "../core/logger.ts";
import type { HoldfastQueues } from "../core/queues/index.ts";
import { SaleRecovery } from "../core/recovery/index.ts";
import type { RedisClient } from "../core/redis.ts";
import type { WaitingRoom } from "../core/waiting-room/index.ts";
import type { Db } from "../db/client.server.ts";
import { PrismaRecoveryStore } from "../db/PrismaRecoveryStore.ts";
import { PrismaSaleRepository } from "../db/PrismaSaleRepository.ts";
import { PrismaSoldUnits } from "../db/PrismaSoldUnits.ts";

export interface RecoveryParts {
  redis: RedisClient;
  db: Db;
  holds: HoldEngine;
  room: WaitingRoom;
  queues: HoldfastQueues;
}

export function buildRecovery(parts: RecoveryParts, payments: PaymentProvider | null, logger: Logger = silentLogger): SaleRecovery {
  const checkouts = new CheckoutStore(parts.redis);
  const queue = new CheckoutQueue(parts.queues);
  return new SaleRecovery({
    sales: new PrismaSaleRepository(parts.db),
    holds: parts.holds,
    room: parts.room,
    soldUnits: new PrismaSoldUnits(parts.db),
    store: new PrismaRecoveryStore(parts.db),
    checkoutWorkable: (saleId, orderId) => checkouts.workable(saleId, orderId),
    enqueueCheckout: (job) => queue.enqueue(job),
    ...(payments ? { refund: (orderId: string, reason: string) => payments.refund(orderId, reason) } : {}),
    logger,
  });
}

// The stock write-back and reconciliation, wired once for the worker (scheduled) and the CLI
// (`npm run holdfast -- reconcile`), so both compare and repair with the same parts.
import type { HoldEngine } from "../core/inventory/index.ts";
import { silentLogger, type Logger } from "../core/logger.ts";
import type { RedisClient } from "../core/redis.ts";
import { EchoGuard, Reconciler, StockWriteBack } from "../core/sync/index.ts";
import type { Db } from "../db/client.server.ts";
import { PrismaSyncCatalog, PrismaWriteBackJournal } from "../db/PrismaSyncCatalog.ts";
import type { SqlPlatformDirectory } from "../stores/directory.server.ts";

export interface SyncParts {
  catalog: PrismaSyncCatalog;
  echo: EchoGuard;
  journal: PrismaWriteBackJournal;
  writeBack: StockWriteBack;
  reconciler: Reconciler;
}

export function buildSync(parts: { redis: RedisClient; db: Db; holds: HoldEngine }, platforms: SqlPlatformDirectory, logger: Logger = silentLogger): SyncParts {
  const catalog = new PrismaSyncCatalog(parts.db);
  const echo = new EchoGuard(parts.redis);
  const journal = new PrismaWriteBackJournal(parts.db);
  const writeBack = new StockWriteBack({ redis: parts.redis, holds: parts.holds, catalog, platforms, breakers: platforms, echo, journal, logger });
  const reconciler = new Reconciler({ redis: parts.redis, holds: parts.holds, catalog, history: catalog, platforms, writeBack, logger });
  return { catalog, echo, journal, writeBack, reconciler };
}

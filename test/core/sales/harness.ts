// A SaleService on real Redis and a fresh, migrated SQLite file, shared by the sales and
// admin API tests. Rooms go in a registry of their own, so no other test's controller sees them.
import { randomBytes } from "node:crypto";

import type { Clock } from "../../../app/core/clock.ts";
import { HoldEngine } from "../../../app/core/inventory/index.ts";
import type { RedisClient } from "../../../app/core/redis.ts";
import { SaleService } from "../../../app/core/sales/index.ts";
import { WaitingRoom } from "../../../app/core/waiting-room/index.ts";
import { PrismaSaleRepository } from "../../../app/db/PrismaSaleRepository.ts";
import { createDb, type Db } from "../../../app/db/client.server.ts";
import { migrateDatabase } from "../../../app/db/migrate.server.ts";
import { freshDatabase, type TestDatabase } from "../../db/databases.ts";
import { connectTestRedis } from "../../support/redis.ts";

export interface SalesHarness {
  service: SaleService;
  repository: PrismaSaleRepository;
  holds: HoldEngine;
  room: WaitingRoom;
  redis: RedisClient;
  db: Db;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function salesHarness(clock: Clock): Promise<SalesHarness> {
  const database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  const db = createDb(database.url);
  const redis = connectTestRedis();
  const repository = new PrismaSaleRepository(db);
  const holds = new HoldEngine(redis, { clock });
  const room = new WaitingRoom(redis, { clock, registryKey: `hf:test:sales-${randomBytes(5).toString("hex")}:rooms` });
  return {
    service: new SaleService({ repository, holds, room, clock }),
    repository,
    holds,
    room,
    redis,
    db,
    database,
    async close() {
      await redis.del(room.registryKey);
      await redis.quit();
      await db.$disconnect();
      await database.drop();
    },
  };
}

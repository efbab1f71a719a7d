import { afterAll, beforeAll, expect, it } from "vitest";

import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { staticOriginPolicy } from "../../app/api/cors.ts";
import { RoomViewCache, WaitingRoom } from "../../app/core/waiting-room/index.ts";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { StoreOriginPolicy } from "../../app/stores/origins.server.ts";
import { freshDatabase, type TestDatabase } from "../db/databases.ts";
import { connectTestRedis, uniqueSaleId } from "../support/redis.ts";

const redis = connectTestRedis();
let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await freshDatabase("sqlite");
  await migrateDatabase(database.url, () => undefined);
  db = createDb(database.url);
});
afterAll(async () => {
  await redis.quit();
  await db.$disconnect();
  await database.drop();
});

async function saleOf(storeId: string | null): Promise<{ saleId: string; views: RoomViewCache }> {
  const saleId = uniqueSaleId("origin");
  const room = new WaitingRoom(redis, { registryKey: `hf:test:${saleId}:rooms` });
  await room.configure(saleId, {
    mode: "off",
    perMinute: null,
    maxActive: null,
    passMinutes: 10,
    holdMinutes: 10,
    storeId,
    prequeueAt: null,
    startsAt: null,
    endsAt: null,
  });
  return { saleId, views: new RoomViewCache((id) => room.view(id)) };
}

it("lets a sale's own store call from its HTTPS origin, and nobody else", async () => {
  const store = await db.store.create({ data: { platform: "woocommerce", domain: "Shop.Example.org", name: "Shop" } });
  const { saleId, views } = await saleOf(store.id);
  const policy = new StoreOriginPolicy(db, views, staticOriginPolicy(["https://demo.example.net"]));
  expect(await policy.isAllowed("https://shop.example.org", saleId)).toBe(true);
  expect(await policy.isAllowed("http://shop.example.org", saleId)).toBe(false);
  expect(await policy.isAllowed("https://evil.example.org", saleId)).toBe(false);
  expect(await policy.isAllowed("https://shop.example.org", null)).toBe(false);
  expect(await policy.isAllowed("https://demo.example.net", saleId)).toBe(true);

  const other = await saleOf(null);
  expect(await new StoreOriginPolicy(db, other.views, staticOriginPolicy([])).isAllowed("https://shop.example.org", other.saleId)).toBe(false);
});

it("stops allowing a store's origin once the store is uninstalled", async () => {
  const store = await db.store.create({ data: { platform: "woocommerce", domain: "gone.example.org", name: "Gone", uninstalledAt: new Date() } });
  const { saleId, views } = await saleOf(store.id);
  expect(await new StoreOriginPolicy(db, views, staticOriginPolicy([])).isAllowed("https://gone.example.org", saleId)).toBe(false);
});

// The SaleRepository port's Prisma adapter on both databases: what the service stores reads
// back the same, updates replace the item list in order, and lists are newest first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { newId, type SaleConfig } from "../../../app/core/sales/index.ts";
import { PrismaSaleRepository } from "../../../app/db/PrismaSaleRepository.ts";
import { createDb, type Db } from "../../../app/db/client.server.ts";
import { migrateDatabase } from "../../../app/db/migrate.server.ts";
import { KINDS, freshDatabase, type TestDatabase } from "../../db/databases.ts";

function config(overrides: Partial<SaleConfig> = {}): SaleConfig {
  return {
    id: newId(),
    storeId: null,
    name: "Drop",
    state: "scheduled",
    schedule: { prequeueAt: Date.UTC(2030, 0, 1, 9), startsAt: Date.UTC(2030, 0, 1, 10), endsAt: null },
    holdMinutes: 10,
    perCustomerLimit: 2,
    admission: { mode: "rate+capacity", perMinute: 600, maxActive: 500, passMinutes: 5 },
    bypassPolicy: "cancel",
    failPolicy: "open",
    holdsThroughStoreOnly: false,
    items: [
      { id: newId(), title: "Sneaker", allocation: 100, platformRef: "gid://shopify/ProductVariant/1", price: { amountMinor: 12_999, currency: "EUR" } },
      { id: newId(), title: "Cap", allocation: 50, platformRef: null, price: { amountMinor: 2_500, currency: "EUR" } },
    ],
    ...overrides,
  };
}

describe.each(KINDS)("PrismaSaleRepository on %s", (kind) => {
  let database: TestDatabase;
  let db: Db;
  let repository: PrismaSaleRepository;

  beforeAll(async () => {
    database = await freshDatabase(kind);
    await migrateDatabase(database.url, () => undefined);
    db = createDb(database.url);
    repository = new PrismaSaleRepository(db);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it("stores a sale and reads it back as it was", async () => {
    const sale = config();
    const stored = await repository.create(sale);
    expect(stored).toMatchObject(sale);
    expect(stored.createdAt).toBeGreaterThan(0);
    expect(await repository.get(sale.id)).toEqual(stored);
    expect(await repository.get("missing")).toBeNull();
  });

  it("replaces settings and the item list, keeping ids and the new order", async () => {
    const sale = config();
    await repository.create(sale);
    const [sneaker] = sale.items;
    if (!sneaker) throw new Error("no item");
    const next: SaleConfig = {
      ...sale,
      name: "Renamed",
      schedule: { prequeueAt: null, startsAt: null, endsAt: Date.UTC(2030, 0, 2) },
      admission: { mode: "off", perMinute: null, maxActive: null, passMinutes: 10 },
      items: [
        { id: newId(), title: "Hat", allocation: 5, platformRef: null, price: null },
        { ...sneaker, allocation: 80, price: { amountMinor: 9_999, currency: "EUR" } },
      ],
    };
    const updated = await repository.update(next);
    expect(updated).toMatchObject(next);
    expect(await repository.get(sale.id)).toEqual(updated);
  });

  it("sets the state alone, and says when there is no such sale", async () => {
    const sale = config();
    await repository.create(sale);
    expect(await repository.setState(sale.id, "live")).toBe(true);
    expect((await repository.get(sale.id))?.state).toBe("live");
    expect(await repository.setState("missing", "live")).toBe(false);
  });

  it("lists newest first, within the limit", async () => {
    const older = config({ name: "older" });
    await repository.create(older);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newer = config({ name: "newer" });
    await repository.create(newer);
    const ids = (await repository.list({ limit: 100 })).map((sale) => sale.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    expect(ids.indexOf(newer.id)).toBe(0);
    expect(await repository.list({ limit: 1 })).toHaveLength(1);
  });

  it("lists one store's sales when asked", async () => {
    const [a, b] = await Promise.all(
      ["a", "b"].map((name) => db.store.create({ data: { platform: "shopify", domain: `${name}-${newId()}.myshopify.com`, name } })),
    );
    const ofA = config({ storeId: a!.id });
    await repository.create(ofA);
    await repository.create(config({ storeId: b!.id }));
    await repository.create(config());
    expect((await repository.list({ limit: 100, storeId: a!.id })).map((sale) => sale.id)).toEqual([ofA.id]);
  });
});

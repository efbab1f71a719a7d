// The models through the app's own client (createDb), on both databases: what is written
// reads back the same, and the unique keys that make webhook retries and ledger replays
// harmless really reject duplicates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LedgerEntry } from "../../app/core/ledger/index.ts";
import { PrismaLedgerStore } from "../../app/db/PrismaLedgerStore.ts";
import { createDb, isUniqueViolation, type Db } from "../../app/db/client.server.ts";
import { migrateDatabase } from "../../app/db/migrate.server.ts";
import { KINDS, freshDatabase, type TestDatabase } from "./databases.ts";

/** The error a rejected promise carries, for asserting on its code. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe.each(KINDS)("models on %s", (kind) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await freshDatabase(kind);
    await migrateDatabase(database.url, () => {});
    db = createDb(database.url);
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  async function createSale(id: string, storeId: string | null = null) {
    return db.sale.create({
      data: {
        id,
        storeId,
        name: `Drop ${id}`,
        state: "draft",
        holdMinutes: 10,
        perCustomerLimit: 2,
        items: {
          create: [
            { id: `${id}-a`, title: "Sneaker A", allocation: 100, platformRef: "gid://shopify/ProductVariant/1", position: 0 },
            { id: `${id}-b`, title: "Sneaker B", allocation: 50, position: 1 },
          ],
        },
      },
    });
  }

  it("writes a store, sale, items, order and ledger events and reads them back", async () => {
    const store = await db.store.create({
      data: {
        platform: "shopify",
        domain: `shop-${kind}.myshopify.com`,
        name: "Test shop",
        credentialsCiphertext: "v1.iv.ct.tag",
      },
    });
    expect(store.id).toMatch(/^c[a-z0-9]{20,}$/); // cuid
    expect(store.uninstalledAt).toBeNull();

    const startsAt = new Date("2026-12-01T10:00:00.123Z");
    await createSale("s1", store.id);
    await db.sale.update({ where: { id: "s1" }, data: { state: "scheduled", startsAt, admissionPerMinute: 600 } });

    const lines = [{ itemId: "s1-a", qty: 2 }];
    const order = await db.order.create({
      data: { saleId: "s1", platformOrderRef: "gid://shopify/Order/1001", holdId: "h1", status: "committed", linesJson: JSON.stringify(lines) },
    });
    expect(order.bypass).toBe(false);

    const occurredAt = new Date("2026-12-01T10:00:01.500Z");
    await db.ledgerEvent.create({
      data: { saleId: "s1", streamId: "1764583201500-0", type: "reserve", holdId: "h1", customerRef: "c1", linesJson: JSON.stringify(lines), occurredAt },
    });
    await db.ledgerEvent.create({
      data: { saleId: "s1", streamId: "1764583201400-0", type: "join", linesJson: "[]", occurredAt: new Date(occurredAt.getTime() - 100) },
    });

    const sale = await db.sale.findUniqueOrThrow({
      where: { id: "s1" },
      include: {
        store: true,
        items: { orderBy: { position: "asc" } },
        orders: true,
        ledger: { orderBy: { occurredAt: "asc" } },
      },
    });
    expect(sale).toMatchObject({
      state: "scheduled",
      startsAt,
      prequeueAt: null,
      holdMinutes: 10,
      perCustomerLimit: 2,
      admissionMode: "off",
      admissionPerMinute: 600,
      bypassPolicy: "flag",
      store: { domain: `shop-${kind}.myshopify.com`, credentialsCiphertext: "v1.iv.ct.tag" },
    });
    expect(sale.items.map((item) => [item.id, item.allocation, item.platformRef])).toEqual([
      ["s1-a", 100, "gid://shopify/ProductVariant/1"],
      ["s1-b", 50, null],
    ]);
    expect(JSON.parse(sale.orders[0]?.linesJson ?? "null")).toEqual(lines);
    expect(sale.ledger.map((event) => [event.type, event.occurredAt])).toEqual([
      ["join", new Date(occurredAt.getTime() - 100)],
      ["reserve", occurredAt],
    ]);
    expect(sale.updatedAt.getTime()).toBeGreaterThanOrEqual(sale.createdAt.getTime());
  });

  it("stores a Shopify session as the session storage package writes it", async () => {
    const expires = new Date("2027-01-01T00:00:00.000Z");
    await db.session.create({
      data: {
        id: "offline_shop.myshopify.com",
        shop: "shop.myshopify.com",
        state: "state",
        isOnline: false,
        scope: "read_products,write_inventory",
        expires,
        accessToken: "shpat_x",
        // Above 2^53: the column is BIGINT and must not lose precision.
        userId: 9007199254740993n,
        refreshToken: "r",
        refreshTokenExpires: expires,
      },
    });
    const session = await db.session.findUniqueOrThrow({ where: { id: "offline_shop.myshopify.com" } });
    expect(session).toMatchObject({ userId: 9007199254740993n, expires, accountOwner: false, collaborator: false, emailVerified: false });
  });

  it("rejects a second order with the same platform reference in a sale", async () => {
    await createSale("s2");
    await createSale("s3");
    const data = { saleId: "s2", platformOrderRef: "1002", status: "committed", linesJson: "[]" };
    await db.order.create({ data });

    const error = await rejectionOf(db.order.create({ data: { ...data, status: "duplicate webhook" } }));
    expect(isUniqueViolation(error)).toBe(true);
    // The same platform order number in another sale is a different order.
    await db.order.create({ data: { ...data, saleId: "s3" } });
    expect(await db.order.count({ where: { platformOrderRef: "1002" } })).toBe(2);
  });

  it("keeps one ledger row per (sale, stream entry, part), so persisting a stream twice is harmless", async () => {
    await createSale("s4");
    await createSale("s5");
    const event = { saleId: "s4", streamId: "1764583201600-0", type: "commit", orderRef: "1002", linesJson: "[]", occurredAt: new Date() };
    await db.ledgerEvent.create({ data: event });

    expect(isUniqueViolation(await rejectionOf(db.ledgerEvent.create({ data: event })))).toBe(true);
    // The idempotent way to persist: INSERT … ON CONFLICT DO NOTHING on the unique key. The
    // next part of the same stream entry (a batched reserve call's next hold) is a row of its own.
    const store = new PrismaLedgerStore(db);
    const entry: LedgerEntry = {
      streamId: event.streamId,
      part: 0,
      type: "commit",
      occurredAt: 1,
      holdId: null,
      orderRef: "1002",
      customerRef: null,
      lines: [],
    };
    expect(await store.append("s4", [entry])).toBe(0);
    expect(await store.append("s4", [entry, { ...entry, part: 1 }])).toBe(1);
    expect(await store.append("s4", [{ ...entry, part: 1 }])).toBe(0);
    await db.ledgerEvent.create({ data: { ...event, saleId: "s5" } });
    expect(await db.ledgerEvent.count({ where: { streamId: event.streamId } })).toBe(3);
  });

  it("rejects a second store with the same platform and domain", async () => {
    const data = { platform: "woocommerce", domain: `wc-${kind}.example`, name: "WC" };
    await db.store.create({ data });
    const refused = await rejectionOf(db.store.create({ data }));
    expect(isUniqueViolation(refused)).toBe(true);
    // What a log line shows: the reason, not a frame of Prisma's minified runtime around the call.
    expect((refused as Error).message.trim()).toMatch(/^Invalid `prisma\.store\.create\(\)` invocation:\s+Unique constraint failed/);
    await db.store.create({ data: { ...data, platform: "custom" } });
  });

  it("deletes a sale's items with it, but refuses while it has orders", async () => {
    await createSale("s6");
    await db.order.create({ data: { saleId: "s6", platformOrderRef: "x", status: "committed", linesJson: "[]" } });
    const refused = await rejectionOf(db.sale.delete({ where: { id: "s6" } }));
    expect(refused).toMatchObject({ code: "P2003" });

    await createSale("s7");
    await db.sale.delete({ where: { id: "s7" } });
    expect(await db.saleItem.count({ where: { saleId: "s7" } })).toBe(0);
    expect(await db.saleItem.count({ where: { saleId: "s6" } })).toBe(2);
  });
});

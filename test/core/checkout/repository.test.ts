import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PrismaCheckoutOrderRepository } from "../../../app/db/PrismaCheckoutOrderRepository.ts";
import { PrismaOrderRepository } from "../../../app/db/PrismaOrderRepository.ts";
import { createDb, type Db } from "../../../app/db/client.server.ts";
import { migrateDatabase } from "../../../app/db/migrate.server.ts";
import { freshDatabase, KINDS, type TestDatabase } from "../../db/databases.ts";

describe.each(KINDS)("checkout orders in SQL on %s", (kind) => {
  let database: TestDatabase;
  let db: Db;
  let checkouts: PrismaCheckoutOrderRepository;
  let orders: PrismaOrderRepository;
  const saleId = `t-repo-${randomBytes(4).toString("hex")}`;
  const row = (orderId: string, status: "queued" | "processing" | "placed" | "failed", platformOrderRef = orderId) => ({
    orderId,
    saleId,
    platformOrderRef,
    holdId: orderId.slice(3),
    status,
    customerRef: "a@example.com",
    lines: [{ itemId: "sku", quantity: 1 }],
  });

  beforeAll(async () => {
    database = await freshDatabase(kind);
    await migrateDatabase(database.url, () => undefined);
    db = createDb(database.url);
    checkouts = new PrismaCheckoutOrderRepository(db);
    orders = new PrismaOrderRepository(db);
    await db.sale.create({ data: { id: saleId, name: "repo", state: "live", holdMinutes: 10, perCustomerLimit: 0, bypassPolicy: "flag" } });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it("upserts by our order id as it moves from processing to placed under the platform's reference", async () => {
    await checkouts.save(row("co-aaaa", "processing"));
    await checkouts.save(row("co-aaaa", "placed", "P-1"));
    expect(await checkouts.find("co-aaaa")).toMatchObject({ orderId: "co-aaaa", platformOrderRef: "P-1", status: "placed", holdId: "aaaa" });
    expect(await db.order.count({ where: { saleId } })).toBe(1);
  });

  it("takes over the row a webhook wrote first for the same platform order, keeping a later status", async () => {
    await orders.save({ saleId, platformOrderRef: "P-2", status: "committed", holdId: "bbbb", customerRef: null, lines: [], bypass: false });
    await checkouts.save(row("co-bbbb", "placed", "P-2"));
    expect(await db.order.findMany({ where: { saleId, platformOrderRef: "P-2" } })).toEqual([expect.objectContaining({ id: "co-bbbb", status: "placed" })]);

    await orders.save({ saleId, platformOrderRef: "P-3", status: "cancelled_after_sale", holdId: "cccc", customerRef: null, lines: [], bypass: false });
    await checkouts.save(row("co-cccc", "placed", "P-3"));
    expect(await checkouts.find("co-cccc")).toMatchObject({ status: "cancelled_after_sale" });
    // A replayed job writing "placed" again does not roll a cancellation back either.
    await checkouts.save(row("co-cccc", "placed", "P-3"));
    expect(await checkouts.find("co-cccc")).toMatchObject({ status: "cancelled_after_sale" });
  });
});

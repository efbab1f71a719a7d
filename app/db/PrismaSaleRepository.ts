// The SaleRepository port over Prisma (SQLite or PostgreSQL: the `Db` type runs on both).
import { BYPASS_POLICIES, type BypassPolicy } from "../core/orders/index.ts";
import {
  FAIL_POLICIES,
  SALE_LIMITS,
  type AdmissionMode,
  type FailPolicySetting,
  type Sale,
  type SaleConfig,
  type SaleItem,
  type SaleRepository,
  type SaleState,
} from "../core/sales/index.ts";
import type { Db } from "./client.server.ts";

type SaleRow = NonNullable<Awaited<ReturnType<Db["sale"]["findUnique"]>>>;
type ItemRow = Awaited<ReturnType<Db["saleItem"]["findMany"]>>[number];

const WITH_ITEMS = { items: { orderBy: { position: "asc" } } } as const;

export class PrismaSaleRepository implements SaleRepository {
  constructor(private readonly db: Db) {}

  async create(sale: SaleConfig): Promise<Sale> {
    const row = await this.db.sale.create({
      data: { id: sale.id, ...columnsOf(sale), items: { create: sale.items.map((item, position) => ({ id: item.id, ...itemColumns(item), position })) } },
      include: WITH_ITEMS,
    });
    return toSale(row, row.items);
  }

  async update(sale: SaleConfig): Promise<Sale> {
    const keep = sale.items.map((item) => item.id);
    // One transaction, so a reader never sees the new settings with the old items.
    await this.db.$transaction([
      this.db.sale.update({ where: { id: sale.id }, data: columnsOf(sale) }),
      this.db.saleItem.deleteMany({ where: { saleId: sale.id, id: { notIn: keep } } }),
      ...sale.items.map((item, position) =>
        this.db.saleItem.upsert({
          where: { id: item.id },
          create: { id: item.id, ...itemColumns(item), position, saleId: sale.id },
          update: { ...itemColumns(item), position },
        }),
      ),
    ]);
    const stored = await this.get(sale.id);
    if (!stored) throw new Error(`sale ${sale.id} vanished while it was being updated`);
    return stored;
  }

  async setState(saleId: string, state: SaleState): Promise<boolean> {
    const { count } = await this.db.sale.updateMany({ where: { id: saleId }, data: { state } });
    return count > 0;
  }

  async get(saleId: string): Promise<Sale | null> {
    const row = await this.db.sale.findUnique({ where: { id: saleId }, include: WITH_ITEMS });
    return row && toSale(row, row.items);
  }

  async list({ limit, storeId }: { limit: number; storeId?: string }): Promise<Sale[]> {
    // The id breaks ties between sales created within the same millisecond.
    const rows = await this.db.sale.findMany({
      ...(storeId === undefined ? {} : { where: { storeId } }),
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
      include: WITH_ITEMS,
    });
    return rows.map((row) => toSale(row, row.items));
  }
}

function columnsOf(sale: SaleConfig) {
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  return {
    storeId: sale.storeId,
    name: sale.name,
    state: sale.state,
    prequeueAt: date(sale.schedule.prequeueAt),
    startsAt: date(sale.schedule.startsAt),
    endsAt: date(sale.schedule.endsAt),
    holdMinutes: sale.holdMinutes,
    perCustomerLimit: sale.perCustomerLimit,
    admissionMode: sale.admission.mode,
    admissionPerMinute: sale.admission.perMinute,
    admissionMaxActive: sale.admission.maxActive,
    passMinutes: sale.admission.passMinutes,
    bypassPolicy: sale.bypassPolicy,
    failPolicy: sale.failPolicy,
    holdsThroughStoreOnly: sale.holdsThroughStoreOnly,
  };
}

function itemColumns(item: SaleItem) {
  return {
    title: item.title,
    allocation: item.allocation,
    platformRef: item.platformRef,
    priceMinor: item.price?.amountMinor ?? null,
    currency: item.price?.currency ?? null,
  };
}

// Columns are plain strings in SQL (SQLite has no enums); only this module writes them.
function toSale(row: SaleRow, items: ItemRow[]): Sale {
  const ms = (date: Date | null) => (date === null ? null : date.getTime());
  return {
    id: row.id,
    storeId: row.storeId,
    name: row.name,
    state: row.state as SaleState,
    schedule: { prequeueAt: ms(row.prequeueAt), startsAt: ms(row.startsAt), endsAt: ms(row.endsAt) },
    holdMinutes: row.holdMinutes,
    perCustomerLimit: row.perCustomerLimit,
    admission: {
      mode: row.admissionMode as AdmissionMode,
      perMinute: row.admissionPerMinute,
      maxActive: row.admissionMaxActive,
      // The column is nullable; new sales always get one (the core's default when not given).
      passMinutes: row.passMinutes ?? SALE_LIMITS.passMinutes.default,
    },
    bypassPolicy: BYPASS_POLICIES.includes(row.bypassPolicy as BypassPolicy) ? (row.bypassPolicy as BypassPolicy) : "flag",
    failPolicy: FAIL_POLICIES.includes(row.failPolicy as FailPolicySetting) ? (row.failPolicy as FailPolicySetting) : "auto",
    holdsThroughStoreOnly: row.holdsThroughStoreOnly,
    items: items.map((item) => ({
      id: item.id,
      title: item.title,
      allocation: item.allocation,
      platformRef: item.platformRef,
      // Written together by itemColumns; a row with only one of them is not a price.
      price: item.priceMinor !== null && item.currency !== null ? { amountMinor: item.priceMinor, currency: item.currency } : null,
    })),
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
  };
}

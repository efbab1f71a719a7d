import type { NewSaleInput, SaleService } from "../../core/sales/index.ts";

/** How `npm start` recognises the demo sale it made on an earlier run. */
export const DEMO_SALE_NAME = "Holdfast demo drop";

/**
 * The demo drop: on the standalone ("custom") store, live at once, with a waiting room that
 * admits two shoppers a second, so a visitor sees the line move, gets a turn within seconds,
 * and can hold and check out.
 */
export const DEMO_SALE: NewSaleInput = {
  name: DEMO_SALE_NAME,
  storeId: null,
  items: [
    { title: "Aurora runner, size 42", allocation: 40, price: { amount: "129.00", currency: "EUR" } },
    { title: "Nimbus hoodie", allocation: 60, price: { amount: "69.00", currency: "EUR" } },
    { title: "Comet cap", allocation: 100, price: { amount: "24.50", currency: "EUR" } },
  ],
  holdMinutes: 10,
  perCustomerLimit: 2,
  admission: { mode: "rate", perMinute: 120, passMinutes: 5 },
};

export interface DemoSale {
  saleId: string;
  created: boolean;
}

/**
 * Finds the demo sale that still works (its stock and room exist in Redis and it has not
 * ended) or creates and starts a new one. A private Redis started by `npm start` forgets
 * everything on exit while SQL remains, so the last run's sale is often gone.
 */
export async function ensureDemoSale(sales: SaleService): Promise<DemoSale> {
  const candidates = (await sales.list({ limit: 200 })).filter((sale) => sale.name === DEMO_SALE_NAME && sale.storeId === null && sale.state !== "ended");
  for (const candidate of candidates) {
    const details = await sales.get(candidate.id);
    if (details.room && details.room.state !== "ended") return { saleId: candidate.id, created: false };
  }
  const created = await sales.create(DEMO_SALE);
  await sales.start(created.sale.id);
  return { saleId: created.sale.id, created: true };
}

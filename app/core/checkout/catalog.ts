import type { Line } from "../inventory/index.ts";
import type { SaleRepository } from "../sales/SaleRepository.ts";
import type { Money } from "./PaymentProvider.ts";

/** The platform references of a sale's items, from the durable sale record. */
export function saleCatalog(sales: Pick<SaleRepository, "get">) {
  return async (saleId: string): Promise<Record<string, string | null> | null> => {
    const sale = await sales.get(saleId);
    if (sale === null) return null;
    return Object.fromEntries(sale.items.map((item) => [item.id, item.platformRef]));
  };
}

/**
 * One price per unit for every item. Sale items carry no price yet (the platform owns
 * prices); until they do, the operator sets HOLDFAST_CHECKOUT_UNIT_PRICE/_CURRENCY, and
 * without them a checkout is captured at 0 in "XXX" (ISO 4217: no currency), which is what
 * the test provider and a platform that collects payment itself (Shopify invoice) expect.
 */
export function unitPricing(unitMinor: number, currency: string) {
  return async (_saleId: string, lines: readonly Line[]): Promise<Money> => ({
    amountMinor: unitMinor * lines.reduce((units, line) => units + line.quantity, 0),
    currency,
  });
}

/** HOLDFAST_CHECKOUT_UNIT_PRICE (minor units per unit, default 0) and HOLDFAST_CHECKOUT_CURRENCY (default "XXX"). */
export function unitPricingFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const raw = env.HOLDFAST_CHECKOUT_UNIT_PRICE?.trim();
  const unitMinor = raw ? Number(raw) : 0;
  if (!Number.isSafeInteger(unitMinor) || unitMinor < 0) throw new Error(`HOLDFAST_CHECKOUT_UNIT_PRICE must be a whole number of minor units, got "${raw}"`);
  const currency = env.HOLDFAST_CHECKOUT_CURRENCY?.trim().toUpperCase() || "XXX";
  if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`HOLDFAST_CHECKOUT_CURRENCY must be an ISO 4217 code, got "${currency}"`);
  return unitPricing(unitMinor, currency);
}

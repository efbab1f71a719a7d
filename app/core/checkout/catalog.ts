import type { Line } from "../inventory/index.ts";
import type { SaleRepository } from "../sales/SaleRepository.ts";
import { CheckoutFailure, type Pricing } from "./CheckoutProcessor.ts";
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
 * One price per unit for every item, the fallback for sales whose items carry no price:
 * HOLDFAST_CHECKOUT_UNIT_PRICE/_CURRENCY, and without them a checkout is captured at 0 in
 * "XXX" (ISO 4217: no currency), which is what the test provider and a platform that collects
 * payment itself (Shopify invoice) expect.
 */
export function unitPricing(unitMinor: number, currency: string): Pricing {
  return async (_saleId: string, lines: readonly Line[]): Promise<Money> => ({
    amountMinor: unitMinor * lines.reduce((units, line) => units + line.quantity, 0),
    currency,
  });
}

/**
 * Each item's own price times its quantity, read from the durable sale record when the
 * payment is captured; a sale whose items have no price is charged by `fallback`. The core
 * keeps a sale's items priced all or none, in one currency; a record that breaks that rule
 * (edited by hand) fails the checkout rather than charging a guess.
 */
export function salePricing(sales: Pick<SaleRepository, "get">, fallback: Pricing): Pricing {
  return async (saleId, lines) => {
    const sale = await sales.get(saleId);
    if (sale === null) throw new CheckoutFailure("sale_not_found", `sale ${saleId} no longer exists`);
    const prices = new Map(sale.items.map((item) => [item.id, item.price]));
    const priced = lines.map((line) => ({ price: prices.get(line.itemId) ?? null, quantity: line.quantity }));
    if (priced.every(({ price }) => price === null)) return fallback(saleId, lines);
    const currency = priced[0]?.price?.currency;
    let amountMinor = 0;
    for (const { price, quantity } of priced) {
      if (price === null || price.currency !== currency) {
        throw new CheckoutFailure("price_unavailable", "This order's items have no single price; you have not been charged.");
      }
      amountMinor += price.amountMinor * quantity;
    }
    return { amountMinor, currency: currency ?? "XXX" };
  };
}

/** HOLDFAST_CHECKOUT_UNIT_PRICE (minor units per unit, default 0) and HOLDFAST_CHECKOUT_CURRENCY (default "XXX"). */
export function unitPricingFromEnv(env: NodeJS.ProcessEnv = process.env): Pricing {
  const raw = env.HOLDFAST_CHECKOUT_UNIT_PRICE?.trim();
  const unitMinor = raw ? Number(raw) : 0;
  if (!Number.isSafeInteger(unitMinor) || unitMinor < 0) throw new Error(`HOLDFAST_CHECKOUT_UNIT_PRICE must be a whole number of minor units, got "${raw}"`);
  const currency = env.HOLDFAST_CHECKOUT_CURRENCY?.trim().toUpperCase() || "XXX";
  if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`HOLDFAST_CHECKOUT_CURRENCY must be an ISO 4217 code, got "${currency}"`);
  return unitPricing(unitMinor, currency);
}

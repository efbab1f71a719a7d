/**
 * Amounts of money: minor units (cents) and an ISO 4217 currency, as payment gateways take
 * them. Prices arrive as decimal strings ("19.99") so no float ever rounds a price; the
 * currency says how many decimals it has (EUR 2, JPY 0, KWD 3).
 */
export interface Money {
  /** Minor units (cents). */
  amountMinor: number;
  /** ISO 4217, e.g. "EUR". */
  currency: string;
}

/** A price as the API and the forms write it. */
export interface PriceInput {
  /** A non-negative decimal string with at most the currency's decimals: "19.99", "1200". */
  amount: string;
  currency: string;
}

// Below Number.MAX_SAFE_INTEGER whatever the currency's decimals.
const MAX_WHOLE_DIGITS = 12;

let currencies: ReadonlySet<string> | null = null;

/** ISO 4217 codes this runtime knows (and can format). */
export function isCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf("currency"));
  return currencies.has(code);
}

/** How many decimals the currency's minor unit has. */
export function currencyDecimals(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** "19.99" EUR -> 1999; null when the text is not such an amount (negative, too many decimals, not a number). */
export function parseAmount(amount: string, currency: string): number | null {
  const decimals = currencyDecimals(currency);
  const pattern = decimals === 0 ? new RegExp(`^\\d{1,${MAX_WHOLE_DIGITS}}$`) : new RegExp(`^\\d{1,${MAX_WHOLE_DIGITS}}(?:\\.\\d{1,${decimals}})?$`);
  if (!pattern.test(amount)) return null;
  const [whole = "0", fraction = ""] = amount.split(".");
  return Number(whole) * 10 ** decimals + Number(fraction.padEnd(decimals, "0") || "0");
}

/** 1999 EUR -> { amount: "19.99", currency: "EUR" }: the API's form of a stored price. */
export function priceInputOf(money: Money): PriceInput {
  const decimals = currencyDecimals(money.currency);
  if (decimals === 0) return { amount: String(money.amountMinor), currency: money.currency };
  const digits = String(money.amountMinor).padStart(decimals + 1, "0");
  return { amount: `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`, currency: money.currency };
}

/** "€19.99", "¥1,200": for people, in `locale`'s way of writing the currency. */
export function formatMoney(money: Money, locale = "en"): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency: money.currency }).format(money.amountMinor / 10 ** currencyDecimals(money.currency));
}

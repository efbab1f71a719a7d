import type { Line } from "../inventory/index.ts";

/** What SQL keeps of a checkout order (the `Order` table; our order id is the row id). */
export interface CheckoutOrderRow {
  orderId: string;
  saleId: string;
  /** The platform's order reference once placed; our order id until then. */
  platformOrderRef: string;
  holdId: string;
  status: "queued" | "processing" | "placed" | "failed";
  customerRef: string | null;
  lines: Line[];
}

/**
 * Where the checkout worker writes orders durably (app/db/PrismaCheckoutOrderRepository.ts).
 * `save` is an upsert by order id; a row the order processor wrote for the same platform
 * order first (its webhook won the race) is taken over, never duplicated.
 */
export interface CheckoutOrderRepository {
  save(row: CheckoutOrderRow): Promise<void>;
  find(orderId: string): Promise<(CheckoutOrderRow & { status: string }) | null>;
}

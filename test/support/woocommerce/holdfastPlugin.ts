import { checkRequestSignature } from "../../../app/core/tokens/requestSignature.ts";

/**
 * The Holdfast plugin's stock endpoint as the WooCommerce stand-in serves it
 * (`POST /?rest_route=/holdfast/v1/stock/adjust`), with the PHP controller's rules
 * (wordpress-plugin/holdfast/src/Rest/StockController.php): signed with the connector secret,
 * at most 100 adjustments, each applied as the relative change `to - from` (never below 0),
 * and a request key recorded so a retry returns the first answer instead of applying twice.
 */
export const PLUGIN_STOCK_ROUTE = "/holdfast/v1/stock/adjust";

export interface PluginStockTarget {
  /** Current stock of a ref, or null when the item does not exist or does not manage stock. */
  stockOf(ref: string): number | null;
  /** Adds `delta` to the ref's stock in one step, as wc_update_product_stock does in SQL; returns the new stock. */
  change(ref: string, delta: number): number;
}

interface Answer {
  status: number;
  body: unknown;
}

export class HoldfastPluginStandIn {
  private readonly applied = new Map<string, unknown[]>();

  constructor(
    private readonly connectorSecret: string,
    private readonly target: PluginStockTarget,
  ) {}

  handle(method: string, raw: Buffer, signature: string | undefined, nowSeconds: number): Answer {
    const problem = checkRequestSignature(this.connectorSecret, signature, { method, target: PLUGIN_STOCK_ROUTE, body: raw }, nowSeconds);
    if (problem) return error(401, `holdfast_${problem}`, "The request is not signed by this store's Holdfast service.");
    let body: { key?: unknown; adjustments?: unknown };
    try {
      body = JSON.parse(raw.toString("utf8")) as typeof body;
    } catch {
      return error(400, "holdfast_invalid_adjustment", "Expected JSON.");
    }
    const list = body.adjustments;
    if (typeof body.key !== "string" || !/^[\x21-\x7e]{1,200}$/.test(body.key) || !Array.isArray(list) || list.length > 100) {
      return error(400, "holdfast_invalid_adjustment", "Expected {key, adjustments: [{ref, from, to}]} with at most 100 adjustments.");
    }
    const parsed: { ref: string; from: number; to: number }[] = [];
    for (const entry of list as Record<string, unknown>[]) {
      const ref = String(entry?.ref ?? "");
      if (!/^[1-9]\d{0,15}(:[1-9]\d{0,15})?$/.test(ref) || !Number.isInteger(entry.from) || !Number.isInteger(entry.to) || (entry.to as number) < 0) {
        return error(400, "holdfast_invalid_adjustment", "Each adjustment needs a ref and whole numbers from and to (to >= 0).");
      }
      parsed.push({ ref, from: entry.from as number, to: entry.to as number });
    }
    const first = this.applied.get(body.key);
    if (first) return { status: 200, body: { duplicate: true, results: first } };
    const results = parsed.map(({ ref, from, to }) => {
      if (this.target.stockOf(ref) === null) return { ref, error: "not_found" };
      const delta = to - from;
      let stock = this.target.change(ref, delta);
      const result: Record<string, unknown> = { ref, stock, applied: delta };
      if (stock < 0) {
        stock = this.target.change(ref, -stock);
        Object.assign(result, { stock, clamped: true });
      }
      return result;
    });
    this.applied.set(body.key, results);
    return { status: 200, body: { duplicate: false, results } };
  }
}

function error(status: number, code: string, message: string): Answer {
  return { status, body: { code, message, data: { status } } };
}

import type { Clock } from "../../core/clock.ts";
import { PlatformError } from "../../core/platform/index.ts";
import { signRequest } from "../../core/tokens/requestSignature.ts";
import { wooHttpError, wooTransportError, type WooItemFailure } from "./errors.ts";
import { chunk } from "./refs.ts";

/** The plugin's route; addressed through `?rest_route=` so it works without pretty permalinks. */
export const PLUGIN_STOCK_ROUTE = "/holdfast/v1/stock/adjust";
const MAX_ADJUSTMENTS = 100;

export interface StockAdjustment {
  ref: string;
  /** What the core last saw on WooCommerce. */
  from: number;
  /** What the core wants WooCommerce to show, had nothing changed there since. */
  to: number;
}

/**
 * Stock written as relative changes through the Holdfast plugin (POST /wp-json/holdfast/v1/stock/adjust,
 * signed with the connector secret): the plugin applies `to - from` with wc_update_product_stock(),
 * a relative SQL update, so a sale WooCommerce made after the core last read the stock is kept
 * (an absolute `stock_quantity` would overwrite it). Not idempotent by itself, so every call
 * carries a key the plugin records: a retry after a lost answer gets the first answer back.
 */
export async function adjustStockThroughPlugin(
  site: { url: string; connectorSecret: string },
  adjustments: readonly StockAdjustment[],
  idempotencyKey: string,
  options: { timeoutMs: number; clock: Clock },
): Promise<WooItemFailure[]> {
  const failures: WooItemFailure[] = [];
  const parts = chunk(adjustments, MAX_ADJUSTMENTS);
  for (const [index, part] of parts.entries()) {
    const key = parts.length === 1 ? idempotencyKey : `${idempotencyKey}-p${index + 1}`;
    const body = JSON.stringify({ key, adjustments: part });
    const url = new URL(site.url.replace(/\/+$/, "") + "/");
    url.searchParams.set("rest_route", PLUGIN_STOCK_ROUTE);
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "x-holdfast-signature": signRequest(
            site.connectorSecret,
            { method: "POST", target: PLUGIN_STOCK_ROUTE, body },
            Math.floor(options.clock.now() / 1000),
          ),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      throw wooTransportError(error, timedOut ? options.timeoutMs : null);
    }
    const answer: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      throw wooHttpError(
        response.status,
        answer,
        response.headers.get("retry-after") ?? undefined,
        options.clock.now(),
        " (the Holdfast plugin's stock endpoint: is the plugin active and connected?)",
      );
    }
    const results = (answer as { results?: unknown } | null)?.results;
    if (!Array.isArray(results)) {
      throw new PlatformError("unavailable", "The Holdfast plugin answered without results", { status: response.status, code: "holdfast_invalid_response" });
    }
    const seen = new Set<string>();
    for (const result of results as Array<Record<string, unknown>>) {
      const ref = String(result?.ref ?? "");
      seen.add(ref);
      if (typeof result?.error === "string") {
        failures.push({
          ref,
          kind: result.error === "not_found" ? "not_found" : "rejected",
          code: `holdfast_${result.error}`,
          message: `the plugin refused ${ref}: ${result.error}`,
        });
      }
    }
    for (const { ref } of part) {
      if (!seen.has(ref)) failures.push({ ref, kind: "unavailable", code: "holdfast_missing_item", message: "not in the plugin's answer" });
    }
  }
  return failures;
}

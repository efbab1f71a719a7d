import type { BucketStatus } from "../../core/resilience/index.ts";

/** `extensions.cost` as Shopify sends it with every Admin GraphQL answer (throttled ones included). */
export interface QueryCost {
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
  throttleStatus: BucketStatus;
}

const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

export function queryCostOf(extensions: unknown): QueryCost | null {
  if (typeof extensions !== "object" || extensions === null) return null;
  const cost: unknown = Reflect.get(extensions, "cost");
  if (typeof cost !== "object" || cost === null) return null;
  const status: unknown = Reflect.get(cost, "throttleStatus");
  if (typeof status !== "object" || status === null) return null;
  const maximumAvailable: unknown = Reflect.get(status, "maximumAvailable");
  const currentlyAvailable: unknown = Reflect.get(status, "currentlyAvailable");
  const restoreRate: unknown = Reflect.get(status, "restoreRate");
  if (!isNumber(maximumAvailable) || !isNumber(currentlyAvailable) || !isNumber(restoreRate)) return null;
  const requested: unknown = Reflect.get(cost, "requestedQueryCost");
  const actual: unknown = Reflect.get(cost, "actualQueryCost");
  return {
    requestedQueryCost: isNumber(requested) ? requested : null,
    actualQueryCost: isNumber(actual) ? actual : null,
    throttleStatus: { maximumAvailable, currentlyAvailable, restoreRate },
  };
}

/** How long until the bucket holds `cost` points again, from a throttled answer's status. */
export function retryAfterMs(cost: number, status: BucketStatus): number {
  const deficit = cost - status.currentlyAvailable;
  if (deficit <= 0 || status.restoreRate <= 0) return 1_000;
  return Math.ceil((deficit / status.restoreRate) * 1000);
}

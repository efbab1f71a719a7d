import { PlatformError } from "../../core/platform/index.ts";
import { queryCostOf, retryAfterMs } from "./throttle.ts";

/** What @shopify/admin-api-client's `request` resolves to (it never throws for HTTP or network failures). */
export interface ClientAnswer {
  data?: unknown;
  extensions?: unknown;
  errors?: { networkStatusCode?: number; message?: string; graphQLErrors?: unknown[]; response?: Response };
}

interface GraphQLErrorShape {
  message?: unknown;
  extensions?: { code?: unknown } | null;
}

/**
 * Turns a failed answer into the PlatformError the core acts on:
 *   401/403, ACCESS_DENIED -> unauthorized (reconnect)     429, THROTTLED -> throttled (retryAfterMs)
 *   402/423 (frozen/locked shop), 5xx, network, INTERNAL_SERVER_ERROR -> unavailable
 *   404 -> not_found      other 4xx, invalid documents, MAX_COST_EXCEEDED, MAX_INPUT_SIZE_EXCEEDED -> rejected
 * `cost` is the request's requestedQueryCost, for the wait after a throttled answer.
 */
export async function errorOf(answer: ClientAnswer, cost: number): Promise<PlatformError | null> {
  const failure = answer.errors;
  if (!failure) return answer.data === undefined || answer.data === null ? new PlatformError("unavailable", "Shopify answered without data") : null;
  const status = failure.networkStatusCode;
  if (status === undefined) return new PlatformError("unavailable", `Shopify unreachable: ${failure.message ?? "network error"}`);
  if (status === 401 || status === 403) return new PlatformError("unauthorized", `Shopify refused the access token (HTTP ${status})`, { status });
  if (status === 429)
    return new PlatformError("throttled", "Shopify: Throttled (HTTP 429)", {
      status,
      code: "THROTTLED",
      retryAfterMs: await retryAfterOf429(failure.response, cost),
    });
  if (status === 404) return new PlatformError("not_found", "Shopify: shop or API version not found (HTTP 404)", { status });
  if (status === 402 || status === 423 || status >= 500) return new PlatformError("unavailable", `Shopify HTTP ${status}`, { status });
  if (status >= 400) return new PlatformError("rejected", `Shopify HTTP ${status}: ${failure.message ?? ""}`.trim(), { status });

  const errors = (failure.graphQLErrors ?? []) as GraphQLErrorShape[];
  if (errors.length === 0) return new PlatformError("unavailable", `Shopify: ${failure.message ?? "unexpected answer"}`, { status });
  const codes = errors.map((error) => (typeof error.extensions?.code === "string" ? error.extensions.code : null));
  const messages = errors.map((error) => (typeof error.message === "string" ? error.message : "")).filter(Boolean);
  const summary = messages.join("; ") || failure.message || "GraphQL error";
  if (codes.includes("THROTTLED") || messages.includes("Throttled")) {
    const cost_ = queryCostOf(answer.extensions);
    const wait = cost_ ? retryAfterMs(cost_.requestedQueryCost ?? cost, cost_.throttleStatus) : 1_000;
    return new PlatformError("throttled", "Shopify: Throttled", { status, code: "THROTTLED", retryAfterMs: wait });
  }
  if (codes.includes("ACCESS_DENIED")) return new PlatformError("unauthorized", `Shopify: ${summary}`, { status, code: "ACCESS_DENIED" });
  if (codes.includes("INTERNAL_SERVER_ERROR")) return new PlatformError("unavailable", `Shopify: ${summary}`, { status, code: "INTERNAL_SERVER_ERROR" });
  const code = codes.find((c): c is string => c !== null);
  return new PlatformError("rejected", `Shopify: ${summary}`, { status, ...(code ? { code } : {}) });
}

async function retryAfterOf429(response: Response | undefined, cost: number): Promise<number> {
  const header = Number(response?.headers.get("retry-after"));
  if (Number.isFinite(header) && header > 0) return Math.ceil(header * 1000);
  try {
    const body: unknown = await response?.json();
    const status = queryCostOf(typeof body === "object" && body !== null ? Reflect.get(body, "extensions") : null);
    if (status) return retryAfterMs(status.requestedQueryCost ?? cost, status.throttleStatus);
  } catch {
    // no JSON body: fall back to a second
  }
  return 1_000;
}

import { createRequire } from "node:module";

// Under NodeNext this default import is the CommonJS `module.exports` object, whose `default` is the class.
import type WooRestApiExports from "@woocommerce/woocommerce-rest-api";

import type { Clock } from "../../core/clock.ts";
import { PlatformError } from "../../core/platform/index.ts";
import { wooHttpError, wooTransportError } from "./errors.ts";

// The official client is CommonJS with `exports.default`; Node's ESM loader and Vitest disagree on
// what a default import of it is, so require it explicitly.
const requireCjs = createRequire(import.meta.url);
const { default: WooCommerceRestApi } = requireCjs("@woocommerce/woocommerce-rest-api") as typeof WooRestApiExports;

export interface WooCredentials {
  /** The store's home URL, e.g. https://shop.example.com (the client appends /wp-json/wc/v3). */
  url: string;
  consumerKey: string;
  consumerSecret: string;
  /** HTTPS only: send the keys as query parameters, for hosts that strip the Authorization header. */
  queryStringAuth?: boolean;
}

export type WooQuery = Record<string, string>;

interface AxiosLikeResponse {
  status: number;
  data: unknown;
  headers: Record<string, unknown>;
}

function isAxiosLikeResponse(value: unknown): value is AxiosLikeResponse {
  return typeof value === "object" && value !== null && typeof (value as { status?: unknown }).status === "number";
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name];
  return typeof value === "string" ? value : Array.isArray(value) && typeof value[0] === "string" ? value[0] : undefined;
}

/**
 * One WooCommerce REST v3 call per method, through the official client (Basic auth over HTTPS,
 * OAuth 1.0a one-legged over plain HTTP, both done by the client), with a hard deadline per call
 * and every failure turned into a PlatformError. No retries here: that is the resilience layer's.
 */
export class WooRestClient {
  private readonly hint: string;

  constructor(
    private readonly credentials: WooCredentials,
    private readonly clock: Clock,
  ) {
    const https = /^https:/i.test(credentials.url);
    this.hint =
      https && !credentials.queryStringAuth
        ? " (if the host strips the Authorization header, connect with queryStringAuth)"
        : https
          ? ""
          : " (over plain HTTP WooCommerce accepts only OAuth 1.0a: check the key, the secret and the store URL it signs)";
  }

  get(endpoint: string, query: WooQuery, timeoutMs: number): Promise<unknown> {
    return this.call("get", endpoint, undefined, query, timeoutMs);
  }

  post(endpoint: string, body: unknown, timeoutMs: number): Promise<unknown> {
    return this.call("post", endpoint, body, {}, timeoutMs);
  }

  put(endpoint: string, body: unknown, timeoutMs: number): Promise<unknown> {
    return this.call("put", endpoint, body, {}, timeoutMs);
  }

  private async call(method: "get" | "post" | "put", endpoint: string, body: unknown, query: WooQuery, timeoutMs: number): Promise<unknown> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    // A client per call carries this call's abort signal; construction only stores options.
    const api = new WooCommerceRestApi({
      url: this.credentials.url,
      consumerKey: this.credentials.consumerKey,
      consumerSecret: this.credentials.consumerSecret,
      version: "wc/v3",
      queryStringAuth: this.credentials.queryStringAuth ?? false,
      // No redirects: following one turns a POST into a GET and breaks the OAuth signature.
      axiosConfig: { signal: controller.signal, maxRedirects: 0 },
    });
    let response: unknown;
    try {
      response = method === "get" ? await api.get(endpoint, query) : method === "post" ? await api.post(endpoint, body) : await api.put(endpoint, body);
    } catch (error) {
      const answered = (error as { response?: unknown }).response;
      if (!timedOut && isAxiosLikeResponse(answered)) {
        throw wooHttpError(answered.status, answered.data, headerValue(answered.headers, "retry-after"), this.clock.now(), this.hint);
      }
      throw wooTransportError(error, timedOut ? timeoutMs : null);
    } finally {
      clearTimeout(timer);
    }
    if (!isAxiosLikeResponse(response))
      throw new PlatformError("unavailable", "WooCommerce client returned no response", { code: "holdfast_invalid_response" });
    if (typeof response.data !== "object" || response.data === null) {
      // A 2xx that is not JSON: a caching plugin, a maintenance page or a login redirect page.
      throw new PlatformError("unavailable", `WooCommerce answered HTTP ${response.status} without a JSON body`, {
        status: response.status,
        code: "holdfast_invalid_response",
      });
    }
    return response.data;
  }
}

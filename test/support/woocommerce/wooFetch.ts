import type { WooStandIn } from "./WooStandIn.ts";
import { signUrl, type SignOptions } from "./oauth.ts";

export interface WooFetchOptions {
  query?: Record<string, string>;
  body?: unknown;
  /** Default: the stand-in's first key. */
  consumerKey?: string;
  consumerSecret?: string;
  signatureMethod?: SignOptions["signatureMethod"];
  timestamp?: number;
  nonce?: string;
  /** Sign this base URL instead of the one called (host mismatch). */
  signedBaseUrl?: string;
  /** Change the URL after signing (a forged or tampered request). */
  tamper?: (signed: URL) => void;
  /** Send these headers and no OAuth at all (e.g. Basic). */
  unsigned?: Record<string, string>;
}

export interface WooFetchResult {
  status: number;
  body: unknown;
  headers: Headers;
}

/** A raw request to the stand-in with the tests' own OAuth 1.0a signer, for what the client cannot do. */
export async function wooFetch(standIn: WooStandIn, method: string, route: string, options: WooFetchOptions = {}): Promise<WooFetchResult> {
  const target = new URL(`${standIn.url}/wp-json/wc/v3${route}`);
  for (const [name, value] of Object.entries(options.query ?? {})) target.searchParams.set(name, value);
  let url = target.toString();
  if (!options.unsigned) {
    url = signUrl({
      method,
      url,
      consumerKey: options.consumerKey ?? standIn.consumerKey,
      consumerSecret: options.consumerSecret ?? standIn.consumerSecret,
      signatureMethod: options.signatureMethod,
      timestamp: options.timestamp,
      nonce: options.nonce,
      signedBaseUrl: options.signedBaseUrl,
    });
  }
  const signed = new URL(url);
  options.tamper?.(signed);
  const headers: Record<string, string> = { accept: "application/json", ...options.unsigned };
  if (options.body !== undefined) headers["content-type"] = "application/json; charset=utf-8";
  const response = await fetch(signed, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

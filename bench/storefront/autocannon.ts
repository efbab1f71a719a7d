import { createRequire } from "node:module";

/**
 * The part of autocannon 8's programmatic API this benchmark uses, typed here because the
 * package ships no type declarations (see node_modules/autocannon/README.md).
 */

export interface AutocannonRequest {
  method?: "GET" | "POST";
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Called before each request is encoded; returns the request to send. */
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
}

export interface AutocannonOptions {
  url: string;
  connections: number;
  pipelining: number;
  /** Seconds; ignored when `amount` is set. */
  duration?: number;
  amount?: number;
  /** Seconds before a request counts as timed out. */
  timeout?: number;
  requests: AutocannonRequest[];
  /** Called once per connection (client) before it connects. */
  setupClient?: (client: AutocannonClient) => void;
}

export interface AutocannonClient {
  /** Replaces the requests this connection cycles through (pre-encoded once). */
  setRequests(requests: AutocannonRequest[]): void;
}

export interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Seconds. */
  duration: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number; average: number; max: number };
}

export interface AutocannonInstance {
  on(event: "response", listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
  /** A request that got no answer: a connection error, or a timeout ("request timed out"). */
  on(event: "reqError", listener: (error: Error) => void): void;
  stop(): void;
}

export type Autocannon = (options: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

export const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

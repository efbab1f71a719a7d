/**
 * What the storefront benchmark's processes tell each other. Children write one JSON object
 * per line on stdout; anything else they print goes to stderr.
 */

/** The shape of the requests one load run sends; every kind makes each request distinct where the API needs it. */
export type LoadKind =
  /** GET /v1/sales/:saleId/status, rotating through prepared (session, ticket) pairs. */
  | "status"
  /** POST /v1/sales/:saleId/tickets, a fresh session id per request. */
  | "join"
  /** POST /v1/sales/:saleId/holds, a fresh session id and requestId per request. */
  | "holds"
  /** GET of a fixed path (`path`), no headers: diagnostics such as /healthz. */
  | "fixed";

export interface Credential {
  session: string;
  ticket: string;
}

export interface LoadSpec {
  /** e.g. http://127.0.0.1:40123 */
  base: string;
  kind: LoadKind;
  saleId: string;
  connections: number;
  /** Seconds of untimed load first (JIT, caches, connection set-up); 0 for none. */
  warmupSeconds: number;
  /** Timed window in seconds; ignored when `amount` is set. */
  seconds: number;
  /** Exactly this many requests in the timed run (the memory phase), instead of a duration. */
  amount?: number;
  /** status: the (session, ticket) pairs to rotate through. */
  credentials?: Credential[];
  /** fixed: the path to GET. */
  path?: string;
  /** holds: the item every hold takes one unit of. */
  itemId?: string;
  /** Seconds between progress lines; 0 for none. */
  progressSeconds: number;
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

export interface LoadResult {
  kind: LoadKind;
  /** Responses completed in the timed run. */
  responses: number;
  /** Wall time of the timed run, in seconds. */
  seconds: number;
  requestsPerSec: number;
  /** Latency of every response (2xx or not), measured by the load generator. */
  latency: LatencySummary;
  /** Connection errors and timeouts (autocannon's `errors`). */
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** The first few answers that were not 2xx, to say why. */
  non2xxSamples: { status: number; body: string }[];
  /** One 2xx body, to show what was measured. */
  okSample: { status: number; bytes: number; body: string } | null;
  warmupResponses: number;
  warmupNon2xx: number;
}

/** One request as a load of `spec.kind` sends it: the one home of each kind's shape. */
export interface LoadRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The request a load of `spec.kind` sends for a shopper `session` (join, holds: fresh for each
 * request; status: `credential`'s own session and ticket; fixed: neither).
 */
export function loadRequest(spec: LoadSpec, session: string, credential?: Credential): LoadRequest {
  const sale = encodeURIComponent(spec.saleId);
  switch (spec.kind) {
    case "status":
      if (!credential) throw new Error("status load needs credentials");
      return {
        method: "GET",
        path: `/v1/sales/${sale}/status`,
        headers: { authorization: `Bearer ${credential.ticket}`, "x-holdfast-session": credential.session },
      };
    case "fixed":
      return { method: "GET", path: spec.path ?? "/", headers: {} };
    case "join":
      return { method: "POST", path: `/v1/sales/${sale}/tickets`, headers: { "x-holdfast-session": session } };
    case "holds":
      return {
        method: "POST",
        path: `/v1/sales/${sale}/holds`,
        headers: { "x-holdfast-session": session, "content-type": "application/json" },
        body: JSON.stringify({ lines: [{ itemId: spec.itemId ?? "item", quantity: 1 }], requestId: `req-${session}` }),
      };
  }
}

/** Messages children write on stdout, one JSON object per line. */
export type ChildMessage =
  | { type: "ready"; port: number; pid: number }
  | { type: "timed-start" }
  /** responses and requestsPerSec are null from wrk, which counts nothing until it is done. */
  | { type: "progress"; responses: number | null; target: number | null; elapsedSeconds: number; requestsPerSec: number | null }
  | { type: "result"; result: LoadResult }
  | { type: "profile-started" }
  | { type: "profile-written"; file: string }
  /** The app server's memory, every BENCH_MEMORY_REPORT_MS (bench/soak.ts). */
  | { type: "memory"; rssBytes: number; heapUsedBytes: number }
  /** What the server measured inside itself over the timed window (serverWindow.ts). */
  | { type: "window"; window: ServerWindow }
  | { type: "fatal"; message: string };

/** Lines the parent writes on a server's stdin around the timed window (serverWindow.ts). */
export const WINDOW_START = "window-start";
export const WINDOW_END = "window-end";

/** A server's own view of the timed window: request -> response finish, and event loop delay. */
export interface ServerWindow {
  responses: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Share of the window the event loop was busy (0-1); below 1 the server also waited. */
  loopUtilization: number;
  /**
   * Connections the server accepted inside the window. A busy Node 20+ server accepts one
   * connection per event loop turn (libuv 1.45, libuv/libuv#3696), so each of these had its
   * first request wait in the kernel for a turn of its own: a timed run should open none.
   */
  connectionsAccepted: number;
}

export function isChildMessage(value: unknown): value is ChildMessage {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

/** Rate limits lifted for the load: every request comes from 127.0.0.1 (the most the variables accept). */
export const LIFTED_RATE_LIMITS: Readonly<Record<string, string>> = Object.freeze({
  HOLDFAST_RATE_LIMIT_JOIN_PER_IP: "999999999",
  HOLDFAST_RATE_LIMIT_STATUS_PER_IP: "999999999",
  HOLDFAST_RATE_LIMIT_JOIN_PER_SESSION: "999999999",
  HOLDFAST_RATE_LIMIT_HOLD_PER_SESSION: "999999999",
  HOLDFAST_HOLD_UNITS_PER_ADDRESS: "0",
});

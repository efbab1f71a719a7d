import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

import type { Logger } from "./core/logger.ts";
import { applyCors, type OriginPolicy } from "./api/cors.ts";
import { handleHealthz, handleReadyz, type ReadinessCheck } from "./api/health.ts";
import { sendError } from "./api/respond.ts";
import { unavailableAnswer } from "./api/unavailable.ts";
import { createRouter, type Route } from "./api/router.ts";

export interface ServerDependencies {
  readiness: readonly ReadinessCheck[];
  /** Shown on /readyz: which parts this process runs (HOLDFAST_ROLE). */
  role?: string;
  /** The lean API's routes (`/v1`, `/proxy`); the Remix app will mount behind them. */
  routes?: readonly Route[];
  /** Origins allowed to call the storefront API from a browser; none when absent. */
  originPolicy?: OriginPolicy;
  /** The Remix app (app/remix.server.ts): asked about every path outside the lean API. */
  web?: WebHandler;
  logger: Logger;
  /** How long a client may take to send a request; REQUEST_TIMEOUTS by default. */
  timeouts?: RequestTimeouts;
}

export interface RequestTimeouts {
  /** Until the headers are in. */
  headersMs: number;
  /** Until the whole request (headers and body) is in. */
  requestMs: number;
  /** How often Node checks connections against the two limits (its default is 30 s). */
  checkEveryMs: number;
}

/**
 * Every body we take is a few KiB (16 KiB at most), so a client still sending after a few
 * seconds is broken or hostile: it gets a 408 and its socket back, instead of Node's
 * default of holding it for 300 s.
 */
export const REQUEST_TIMEOUTS: RequestTimeouts = { headersMs: 5_000, requestMs: 10_000, checkEveryMs: 1_000 };

/** The client hung up or was timed out before its request was in: routine, not our error. */
function abortedByClient(req: IncomingMessage): boolean {
  return !req.complete && (req.destroyed || req.socket.destroyed);
}

export interface WebHandler {
  /** Answers and resolves true, or resolves false when it serves nothing at this path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

/** Paths that stay on the fast path: never handed to Remix, even when no route matches. */
const LEAN_PREFIXES = ["/v1/", "/proxy/"];
const LEAN_PATHS = new Set(["/v1", "/proxy", "/healthz", "/readyz", "/metrics"]);

function isLeanPath(path: string): boolean {
  return LEAN_PATHS.has(path) || LEAN_PREFIXES.some((prefix) => path.startsWith(prefix));
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? "/").split("?", 1)[0] as string;
}

/** Storefront paths get CORS (the widget runs on the store's domain); admin paths never do. */
function storefrontSaleOf(path: string): string | null | undefined {
  if (!path.startsWith("/v1/") || path.startsWith("/v1/admin/")) return undefined;
  const segments = path.split("/");
  return segments[2] === "sales" && segments[3] ? segments[3] : null;
}

/** The one HTTP server: health, then the lean API, then Remix, then a JSON 404. */
export function createHttpServer(deps: ServerDependencies): Server {
  const dispatch = createRouter(
    [
      { method: "GET", path: "/healthz", handler: ({ res }) => handleHealthz(res) },
      { method: "GET", path: "/readyz", handler: ({ res }) => handleReadyz(res, deps.readiness, deps.role) },
      ...(deps.routes ?? []),
    ],
    (error, req) => {
      const fields = { method: req.method, path: req.url?.split("?", 1)[0] };
      if (abortedByClient(req)) deps.logger.debug?.("request aborted by the client", fields);
      else deps.logger.error("unhandled error in request", { ...fields, error });
    },
  );
  const policy = deps.originPolicy ?? { isAllowed: () => false };
  const fallThrough = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = pathOf(req);
    if (deps.web && !isLeanPath(path) && (await deps.web.handle(req, res))) return;
    sendError(res, 404, "not_found", `Nothing is served at ${req.method} ${path}.`);
  };
  const route = (req: IncomingMessage, res: ServerResponse): void | Promise<void> => {
    const answered = dispatch(req, res);
    if (answered === true) return;
    if (answered === false) return fallThrough(req, res);
    return answered.then((done) => (done ? undefined : fallThrough(req, res)));
  };
  const withCors = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const saleId = storefrontSaleOf(pathOf(req));
    if (saleId !== undefined && (await applyCors(req, res, policy, saleId)) === "answered") return;
    await route(req, res);
  };
  // Synchronous when the route answers without waiting: the busiest poll then costs no promise.
  // Only a browser's cross-origin call carries Origin: the path is looked at for CORS only then.
  const handle = (req: IncomingMessage, res: ServerResponse): void | Promise<void> => (req.headers.origin ? withCors(req, res) : route(req, res));
  const timeouts = deps.timeouts ?? REQUEST_TIMEOUTS;
  const server = createServer(
    { headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: timeouts.checkEveryMs },
    (req, res) => {
      try {
        handle(req, res)?.catch((error: unknown) => failed(req, res, error));
      } catch (error) {
        failed(req, res, error);
      }
    },
  );
  /** A failure no route answered for: 503 when Redis or the database did not answer, else logged and a 500. */
  function failed(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    const unavailable = unavailableAnswer(error);
    if (unavailable) {
      if (!res.headersSent) sendError(res, unavailable.status, unavailable.code, unavailable.message, unavailable.headers);
      return;
    }
    if (abortedByClient(req)) deps.logger.debug?.("request aborted by the client", { method: req.method, path: req.url?.split("?", 1)[0] });
    else deps.logger.error("request failed outside a route", { error });
    if (!res.headersSent) sendError(res, 500, "internal_error", "Something went wrong on our side; try again in a moment.");
  }
  // Keep-alive longer than typical load balancer idle timeouts, so they close first. (Since
  // Node 18 the headers timeout runs only while a request is arriving, not on idle sockets.)
  server.keepAliveTimeout = 65_000;
  return server;
}

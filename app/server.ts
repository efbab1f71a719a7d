import { createServer, type Server } from "node:http";

import type { Logger } from "./core/logger.ts";
import { handleHealthz, handleReadyz, type ReadinessCheck } from "./api/health.ts";
import { sendError } from "./api/respond.ts";
import { createRouter, type Route } from "./api/router.ts";

export interface ServerDependencies {
  readiness: readonly ReadinessCheck[];
  /** The lean API's routes (`/v1`, `/proxy`); the Remix app will mount behind them. */
  routes?: readonly Route[];
  logger: Logger;
}

/** The one HTTP server: health, then the lean API, then (later) Remix, then a JSON 404. */
export function createHttpServer(deps: ServerDependencies): Server {
  const dispatch = createRouter(
    [
      { method: "GET", path: "/healthz", handler: ({ res }) => handleHealthz(res) },
      { method: "GET", path: "/readyz", handler: ({ res }) => handleReadyz(res, deps.readiness) },
      ...(deps.routes ?? []),
    ],
    (error, req) => deps.logger.error("unhandled error in request", { method: req.method, path: req.url?.split("?", 1)[0], error }),
  );
  const server = createServer((req, res) => {
    void dispatch(req, res).then((handled) => {
      if (!handled) sendError(res, 404, "not_found", `Nothing is served at ${req.method} ${req.url?.split("?", 1)[0]}.`);
    });
  });
  // Keep-alive longer than typical load balancer idle timeouts, so they close first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

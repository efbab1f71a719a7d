import { createServer, type Server } from "node:http";

import { handleHealthz, handleReadyz, type ReadinessCheck } from "./api/health.ts";
import { sendError } from "./api/respond.ts";

export interface ServerDependencies {
  readiness: readonly ReadinessCheck[];
}

/**
 * The one HTTP server. Health endpoints are answered here; the storefront API (`/v1`, `/proxy`)
 * and the Remix app mount in front of the 404 as they arrive.
 */
export function createHttpServer(deps: ServerDependencies): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (req.method === "GET" || req.method === "HEAD") {
      if (path === "/healthz") return handleHealthz(res);
      if (path === "/readyz") return void handleReadyz(res, deps.readiness);
    }
    sendError(res, 404, "not_found", `Nothing is served at ${req.method} ${path}.`);
  });
  // Keep-alive longer than typical load balancer idle timeouts, so they close first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

import type { RedisCircuit } from "../core/resilience/index.ts";
import type { Route } from "./router.ts";

/** Routes whose every answer depends on Redis run inside the circuit: refused at once while it is open. */
export function guardedByRedis(routes: Route[], circuit: RedisCircuit | undefined): Route[] {
  if (!circuit) return routes;
  return routes.map((route) => ({ ...route, handler: (ctx) => circuit.guard(() => route.handler(ctx)) }));
}

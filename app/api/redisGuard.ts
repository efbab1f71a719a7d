import { isRedisUnavailable, RedisUnavailableError, type RedisCircuit } from "../core/resilience/index.ts";
import { HttpError } from "./HttpError.ts";
import type { Route } from "./router.ts";

/** Routes whose every answer depends on Redis run inside the circuit: refused at once while it is open. */
export function guardedByRedis(routes: Route[], circuit: RedisCircuit | undefined): Route[] {
  if (!circuit) return routes;
  return routes.map((route) => ({ ...route, handler: (ctx) => circuit.guard(() => route.handler(ctx)) }));
}

/** The honest answer to a Redis that does not answer: 503 with when to try again, never a 500. */
export function redisUnavailableAnswer(error: unknown): HttpError | null {
  if (!isRedisUnavailable(error)) return null;
  const retryAfterMs = error instanceof RedisUnavailableError ? error.retryAfterMs : 1_000;
  return new HttpError(
    503,
    "service_unavailable",
    "The sale is briefly unavailable; try again in a moment. Nothing was lost: a retry of the same request is safe.",
    {
      "retry-after": String(Math.ceil(retryAfterMs / 1_000)),
    },
  );
}

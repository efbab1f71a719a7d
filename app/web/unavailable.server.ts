import type { ServerBuild } from "@remix-run/node";

import { UNAVAILABLE_CODE, unavailableDependency, type UnavailableDependency } from "../core/resilience/index.ts";

const MESSAGES: Record<UnavailableDependency["dependency"], string> = {
  database:
    "Holdfast's database is not answering, so this page cannot be shown or saved right now. Try again in a moment; if this lasts, check that the Holdfast server can reach its database (/readyz names each dependency).",
  redis:
    "Holdfast cannot reach Redis, so live sale figures and changes are unavailable right now. Try again in a moment; if this lasts, check that the Holdfast server can reach Redis (/readyz names each dependency).",
};

/** The 503 an admin page answers when a dependency did not answer; null for any other error. */
function unavailableResponse(error: unknown): Response | null {
  const unavailable = unavailableDependency(error);
  if (unavailable === null) return null;
  const body = { error: { code: UNAVAILABLE_CODE, message: MESSAGES[unavailable.dependency] } };
  return new Response(JSON.stringify(body), {
    status: 503,
    headers: { "content-type": "application/json; charset=utf-8", "retry-after": String(unavailable.retryAfterSeconds), "cache-control": "no-store" },
  });
}

const answering = new WeakMap<ServerBuild, ServerBuild>();

/**
 * The build with every route's loader and action answering a 503 (a thrown Response, which the
 * route's error boundary shows with its message) when the database or Redis did not answer,
 * instead of Remix's 500 for an unexpected error: an outage is something to wait out, not a bug.
 * One place for every admin page, embedded and console alike. Memoised per build (development
 * loads the build on every request).
 */
export function answeringUnavailable(build: ServerBuild): ServerBuild {
  let wrapped = answering.get(build);
  if (wrapped === undefined) {
    const routes: ServerBuild["routes"] = {};
    for (const [id, route] of Object.entries(build.routes)) {
      if (route === undefined) continue;
      const { loader, action } = route.module;
      routes[id] = { ...route, module: { ...route.module, loader: loader && guarded(loader), action: action && guarded(action) } };
    }
    wrapped = { ...build, routes };
    answering.set(build, wrapped);
  }
  return wrapped;
}

/** A loader or action that answers unavailableResponse() for an unanswered dependency. */
function guarded<Args, Result>(handler: (args: Args) => Result | Promise<Result>): (args: Args) => Promise<Result> {
  return async (args) => {
    try {
      return await handler(args);
    } catch (error) {
      throw unavailableResponse(error) ?? error;
    }
  };
}

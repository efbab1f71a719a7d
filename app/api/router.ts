import type { IncomingMessage, ServerResponse } from "node:http";

import { problemOf } from "../core/errors/problem.ts";
import { HttpError } from "./HttpError.ts";
import { unavailableAnswer } from "./unavailable.ts";
import { sendError, sendJson } from "./respond.ts";

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path parameters by name, already URI-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
}

export type Handler = (ctx: RequestContext) => unknown;

export interface Route {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Segments starting with ':' are parameters, e.g. `/v1/sales/:saleId/status`. */
  path: string;
  handler: Handler;
}

interface CompiledRoute {
  route: Route;
  segments: string[];
}

/** True when a route answered, false when none has the path; a promise only when the route waits. */
export type Dispatch = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/**
 * A small router for the hot path: matching is a walk over path segments, no regular
 * expressions, and it answers 405 (with Allow) when the path exists under another method.
 * The dispatcher resolves false when no route has the path, so the caller can fall through.
 */
export function createRouter(routes: readonly Route[], onUnexpected: (error: unknown, req: IncomingMessage) => void): Dispatch {
  // Only routes with as many segments as the path can match it: a request looks at those alone,
  // in table order. Segments keep the empty one before the leading slash, so no slice per request.
  const bySegmentCount = new Map<number, CompiledRoute[]>();
  for (const route of routes) {
    const segments = route.path.split("/");
    const sameLength = bySegmentCount.get(segments.length);
    if (sameLength === undefined) bySegmentCount.set(segments.length, [{ route, segments }]);
    else sameLength.push({ route, segments });
  }

  return (req, res) => {
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const segments = (queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt)).split("/");
    const candidates = bySegmentCount.get(segments.length);
    if (candidates === undefined) return false;
    const method = req.method === "HEAD" ? "GET" : req.method;
    let allowed: string[] | null = null;
    for (const candidate of candidates) {
      const params = match(candidate.segments, segments);
      if (!params) continue;
      if (candidate.route.method !== method) {
        (allowed ??= []).push(candidate.route.method);
        continue;
      }
      let result: unknown;
      try {
        result = candidate.route.handler(new Context(req, res, params, rawUrl, queryAt));
      } catch (error) {
        answerError(error, req, res, onUnexpected);
        return true;
      }
      // A route that answered without waiting (a status poll from the caches) costs no promise.
      if (!(result instanceof Promise)) return true;
      return result.then(ANSWERED, (error: unknown) => {
        answerError(error, req, res, onUnexpected);
        return true;
      });
    }
    if (allowed === null) return false;
    sendError(res, 405, "method_not_allowed", `${req.method} is not supported here; use ${allowed.join(" or ")}.`, { allow: allowed.join(", ") });
    return true;
  };
}

/** A class rather than an object literal with a getter: one shape for every request, no closure. */
class Context implements RequestContext {
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly params: Record<string, string>,
    private readonly rawUrl: string,
    private readonly queryAt: number,
  ) {}

  /** Most hot-path handlers never read the query string: it is parsed only when asked. */
  get query(): URLSearchParams {
    return new URLSearchParams(this.queryAt === -1 ? "" : this.rawUrl.slice(this.queryAt + 1));
  }
}

function match(pattern: string[], segments: string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  // Literal segments first, so the routes that do not match cost no allocation.
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] as string;
    if (expected.charCodeAt(0) !== COLON && expected !== segments[i]) return null;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] as string;
    if (expected.charCodeAt(0) !== COLON) continue;
    const actual = segments[i] as string;
    if (actual === "") return null;
    try {
      params[expected.slice(1)] = actual.includes("%") ? decodeURIComponent(actual) : actual;
    } catch {
      return null;
    }
  }
  return params;
}

const COLON = 0x3a;
const ANSWERED = (): true => true;

function answerError(error: unknown, req: IncomingMessage, res: ServerResponse, onUnexpected: (error: unknown, req: IncomingMessage) => void): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) return sendError(res, error.status, error.code, error.message, error.headers);
  const problem = problemOf(error);
  // Several refused fields: the list too, each with its path, so a client can point at every one.
  if (problem?.fields) return sendJson(res, problem.status, { error: { code: problem.code, message: problem.message, fields: problem.fields } });
  if (problem) return sendError(res, problem.status, problem.code, problem.message);
  const unavailable = unavailableAnswer(error);
  if (unavailable) return sendError(res, unavailable.status, unavailable.code, unavailable.message, unavailable.headers);
  onUnexpected(error, req);
  sendError(res, 500, "internal_error", "Something went wrong on our side; try again in a moment.");
}

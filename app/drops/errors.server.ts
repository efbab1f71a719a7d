import { json } from "@remix-run/node";

import { problemOf } from "../core/errors/problem.ts";

/**
 * A failure the merchant can act on, answered as `{"error":{"code","message"}}` with a 4xx,
 * like the rest of Holdfast's HTTP surface. The message says what to do next.
 */
export class PageError extends Error {
  override readonly name = "PageError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reading from Shopify failed: nothing was changed, and trying again later may work. */
export class ShopifyReadError extends PageError {
  constructor(what: string, cause: unknown) {
    super(502, "shopify_unavailable", `Shopify did not answer while Holdfast was reading ${what}; nothing was changed. Wait a moment and try again.`);
    this.cause = cause;
  }
}

/** The error as a JSON answer, or null for an error nobody planned for (it stays a 500). */
export function errorResponse(error: unknown): Response | null {
  if (error instanceof Response) return error;
  if (error instanceof Error && error.name === "PageError" && "status" in error && "code" in error) {
    const page = error as PageError;
    return json({ error: { code: page.code, message: page.message } }, { status: page.status });
  }
  const problem = problemOf(error);
  if (problem === null) return null;
  // Another shop's drop is "not found" too; the merchant's way out is the list.
  const message = problem.kind === "not_found" ? "This drop does not exist (or belongs to another shop). Go back to the drops list." : problem.message;
  return json({ error: { code: problem.code, message } }, { status: problem.status });
}

/** Runs a loader/action body; known failures become their 4xx JSON answer (thrown, so Remix shows the ErrorBoundary for loaders). */
export async function answering<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const response = errorResponse(error);
    if (response) throw response;
    throw error;
  }
}

import { PassThrough } from "node:stream";

import type { EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";

import { addDocumentResponseHeaders } from "./shopify.server.ts";
import { denyFramingUnlessAllowed } from "./web/frameHeaders.server.ts";

const STREAM_TIMEOUT_MS = 5_000;

/**
 * Every HTML document: Shopify's headers first (the Content-Security-Policy frame-ancestors
 * that lets the admin embed us for the requesting shop, and nobody else), then React's
 * streamed render. Bots and crawlers get the whole document at once.
 */
export default function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  addDocumentResponseHeaders(request, responseHeaders);
  denyFramingUnlessAllowed(responseHeaders);
  // A page whose loader met an unanswered dependency (web/unavailable.server.ts) says when to retry.
  const retryAfter = responseStatusCode === 503 ? retryAfterOf(remixContext) : null;
  if (retryAfter !== null) responseHeaders.set("retry-after", retryAfter);
  const ready = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";
  return new Promise<Response>((resolve, reject) => {
    let status = responseStatusCode;
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} abortDelay={STREAM_TIMEOUT_MS} />, {
      [ready]: () => {
        const body = new PassThrough();
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status }));
        pipe(body);
      },
      onShellError: reject,
      onError: (error: unknown) => {
        status = 500;
        // Errors after the shell are streamed to the error boundary; this is for the logs.
        console.error(error);
      },
    });
    setTimeout(abort, STREAM_TIMEOUT_MS + 1_000);
  });
}

/** Retry-After of a Response a loader or action threw; Remix keeps only its Set-Cookie for the document. */
function retryAfterOf(remixContext: EntryContext): string | null {
  const { loaderHeaders, actionHeaders } = remixContext.staticHandlerContext;
  for (const headers of [...Object.values(actionHeaders), ...Object.values(loaderHeaders)]) {
    const value = headers.get("retry-after");
    if (value !== null) return value;
  }
  return null;
}

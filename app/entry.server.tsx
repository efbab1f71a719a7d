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

import type { OutgoingHttpHeaders, ServerResponse } from "node:http";

const JSON_TYPE = "application/json; charset=utf-8";

/** One JSON body writer for the lean API, so every answer has the same shape and headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** sendJson for a body that is already JSON text (the status poll writes its own). */
export function sendJsonText(res: ServerResponse, status: number, payload: string, headers?: Record<string, string>): void {
  const head: OutgoingHttpHeaders = { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(payload), "cache-control": "no-store" };
  if (headers !== undefined) Object.assign(head, headers);
  res.writeHead(status, head);
  res.end(payload);
}

/** Errors are `{"error":{"code","message"}}`: the code is for programs, the message for people. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

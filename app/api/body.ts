import type { IncomingMessage } from "node:http";

import type { z } from "zod";

import { HttpError } from "./HttpError.ts";

export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024;

/** Reads a JSON body, refusing wrong media types, oversized bodies and malformed JSON. */
export async function readJson(req: IncomingMessage, limitBytes = DEFAULT_BODY_LIMIT_BYTES): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json.");
  }
  return parseJson(await readRaw(req, limitBytes));
}

/** The body's bytes as sent (signed webhooks are checked over exactly these), within the limit. */
export async function readRaw(req: IncomingMessage, limitBytes = DEFAULT_BODY_LIMIT_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw tooLarge(limitBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8")) as unknown;
  } catch {
    throw new HttpError(400, "invalid_json", "The body is not valid JSON.");
  }
}

/** Reads and validates a JSON body; the error names the first offending field. */
export async function readBody<Schema extends z.ZodType>(req: IncomingMessage, schema: Schema, limitBytes?: number): Promise<z.infer<Schema>> {
  const parsed = schema.safeParse(await readJson(req, limitBytes));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "body";
    throw new HttpError(400, "invalid_request", `${where}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

function tooLarge(limitBytes: number): HttpError {
  // The connection is closed after this answer, so the rest of the body is never read.
  return new HttpError(413, "body_too_large", `The body is larger than ${limitBytes} bytes.`, { connection: "close" });
}

import type { IncomingMessage } from "node:http";

import type { z } from "zod";

import { InvalidInputError, type FieldProblem } from "../core/errors/InvalidInputError.ts";
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

/** Reads and validates a JSON body; the 400 lists every offending field (`error.fields`), its message names the first. */
export async function readBody<Schema extends z.ZodType>(req: IncomingMessage, schema: Schema, limitBytes?: number): Promise<z.infer<Schema>> {
  return validateBody(await readJson(req, limitBytes), schema);
}

/** readBody's check of a body already read: the value as the schema gives it, or the 400. */
export function validateBody<Schema extends z.ZodType>(value: unknown, schema: Schema): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const fields: FieldProblem[] = parsed.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "body";
      return { path: pathOf(issue.path), code: "invalid_request", message: `${where}: ${issue.message}` };
    });
    throw new InvalidInputError("invalid_request", fields[0]?.message ?? "body: invalid", fields);
  }
  return parsed.data;
}

/** ["items", 0, "title"] -> "items[0].title", as the core names fields. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text === "" ? String(key) : `${text}.${String(key)}`), "");
}

function tooLarge(limitBytes: number): HttpError {
  // The connection is closed after this answer, so the rest of the body is never read.
  return new HttpError(413, "body_too_large", `The body is larger than ${limitBytes} bytes.`, { connection: "close" });
}

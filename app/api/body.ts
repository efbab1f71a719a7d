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

/**
 * The body's bytes as sent (signed webhooks are checked over exactly these), within the limit.
 * Read with listeners rather than `for await`: the async iterator cost every hold a few objects
 * and promise turns (about 3% of the holds row's server time in bench:storefront's profile). The
 * listeners are module functions that find their read on the request (`this`): closures made
 * per request would each cost a call to the name helper tsx adds to named functions.
 */
export function readRaw(req: IncomingMessage, limitBytes = DEFAULT_BODY_LIMIT_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limitBytes) return Promise.reject(tooLarge(limitBytes));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  // Gone already: no event would come, so say so now.
  if (req.destroyed) return Promise.reject(prematureClose());
  return new Promise((resolve, reject) => {
    (req as Reading)[READING] = { chunks: [], size: 0, limitBytes, resolve, reject };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

interface BodyRead {
  chunks: Buffer[];
  size: number;
  limitBytes: number;
  resolve: (body: Buffer) => void;
  reject: (error: Error) => void;
}

const READING = Symbol("holdfast.bodyRead");
type Reading = IncomingMessage & { [READING]?: BodyRead };

function onData(this: Reading, chunk: Buffer): void {
  const read = this[READING];
  if (!read) return;
  read.size += chunk.length;
  // The rest of the body is left unread: the 413 closes the connection.
  if (read.size > read.limitBytes) settle(this, tooLarge(read.limitBytes));
  else read.chunks.push(chunk);
}

function onEnd(this: Reading): void {
  settle(this, null);
}

function onError(this: Reading, error: Error): void {
  settle(this, error);
}

/** Closed before its end: the client went away mid-body (as `for await` reports it). */
function onClose(this: Reading): void {
  settle(this, prematureClose());
}

function prematureClose(): Error {
  return Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" });
}

function settle(req: Reading, error: Error | null): void {
  const read = req[READING];
  if (!read) return;
  req[READING] = undefined;
  req.off("data", onData);
  req.off("end", onEnd);
  req.off("error", onError);
  req.off("close", onClose);
  if (error !== null) read.reject(error);
  else read.resolve(read.chunks.length === 1 ? (read.chunks[0] as Buffer) : Buffer.concat(read.chunks, read.size));
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

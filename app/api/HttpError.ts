/**
 * An answer other than success, thrown from a handler. `code` is machine-readable and part
 * of the API contract; `message` tells a person what to do next.
 */
export class HttpError extends Error {
  override readonly name = "HttpError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

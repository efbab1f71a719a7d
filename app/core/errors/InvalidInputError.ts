/**
 * Input the engine refuses before touching Redis. `code` is machine-readable and stable;
 * the HTTP layer maps it to a 4xx answer.
 */
export class InvalidInputError extends Error {
  override readonly name = "InvalidInputError";

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

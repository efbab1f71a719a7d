export type TokenErrorCode =
  "token_malformed" | "token_bad_signature" | "token_unknown_key" | "token_expired" | "token_not_yet_valid" | "token_wrong_type" | "token_wrong_sale";

/**
 * A token the engine refuses. `code` is machine-readable and stable; the HTTP layer maps it
 * to a 401 (or tells the widget to rejoin). Messages never quote the token.
 */
export class TokenError extends Error {
  override readonly name = "TokenError";

  constructor(
    readonly code: TokenErrorCode,
    message: string,
  ) {
    super(message);
  }
}

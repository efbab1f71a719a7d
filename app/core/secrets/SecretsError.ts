export type SecretsErrorCode =
  /** Not a sealed value of any version we know. */
  | "sealed_malformed"
  /** Well-formed, but the key, the context or the bytes differ from sealing time. */
  | "sealed_tampered"
  | "master_key_invalid"
  | "master_key_missing";

/**
 * A sealed value or master key the engine refuses. Messages name variables and files, never
 * a key or a plaintext.
 */
export class SecretsError extends Error {
  override readonly name = "SecretsError";

  constructor(
    readonly code: SecretsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

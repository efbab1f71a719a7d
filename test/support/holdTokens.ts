// A fixed store keyring for tests that sign hold tokens the way the storefront does, and a
// KeyringSource that answers it for every store (child processes build the same one).
import { signToken, type HoldClaims, type Keyring, type KeyringSource } from "../../app/core/tokens/index.ts";

export const TEST_KEYRING: Keyring = {
  current: { kid: "test-current", secret: Buffer.from("holdfast-test-signing-key-current-0123456789", "utf8") },
  previous: [{ kid: "test-previous", secret: Buffer.from("holdfast-test-signing-key-previous-012345678", "utf8") }],
};

/** Another store's keys: its tokens must not verify for ours. */
export const FOREIGN_KEYRING: Keyring = {
  current: { kid: "test-current", secret: Buffer.from("another-store-signing-key-0123456789abcdef", "utf8") },
  previous: [],
};

export const testKeyrings: KeyringSource = { forStore: () => TEST_KEYRING };

/** A hold token as POST /v1/sales/{sale}/holds signs it (expiring in `ttlSeconds`, negative: already expired). */
export function signHoldToken(saleId: string, holdId: string, options: { keyring?: Keyring; ttlSeconds?: number } = {}): string {
  const now = Math.floor(Date.now() / 1_000);
  const claims: HoldClaims = { typ: "hold", s: saleId, h: holdId, sh: "test-binding", iat: now - 1, exp: now + (options.ttlSeconds ?? 600) };
  return signToken({ ...claims }, options.keyring ?? TEST_KEYRING);
}

/**
 * The token with its signature's first character changed: six bits of the signature, always
 * different (editing the last characters may only touch base64url's padding bits, or leave
 * the signature as it was when it already ended in the replacement).
 */
export function withTamperedSignature(token: string): string {
  const at = token.lastIndexOf(".") + 1;
  const replacement = token[at] === "A" ? "B" : "A";
  return `${token.slice(0, at)}${replacement}${token.slice(at + 1)}`;
}

/** One HMAC secret, named by `kid` in the header of every token it signs. */
export interface SigningKey {
  kid: string;
  secret: Buffer;
}

/**
 * A store's signing keys: new tokens are signed with `current`; tokens signed with a key in
 * `previous` still verify, so a rotation never logs out a queue that is already waiting.
 */
export interface Keyring {
  current: SigningKey;
  previous: readonly SigningKey[];
}

export function findKey(keyring: Keyring, kid: string): SigningKey | undefined {
  if (keyring.current.kid === kid) return keyring.current;
  return keyring.previous.find((key) => key.kid === kid);
}

import { randomBytes } from "node:crypto";

import { z } from "zod";

import type { Keyring, SigningKey } from "../tokens/keyring.ts";
import { openJson, seal } from "./seal.ts";
import { SecretsError } from "./SecretsError.ts";

/** A store's token keys, kept sealed in `Store.signingKeysCiphertext`. */

export const MAX_PREVIOUS_KEYS = 2;
const SECRET_BYTES = 32;
// Binds the ciphertext to this purpose, so sealed credentials never pass for a keyring.
const CONTEXT = "holdfast:signing-keys";

export function newSigningKey(): SigningKey {
  return { kid: `k${randomBytes(4).toString("hex")}`, secret: randomBytes(SECRET_BYTES) };
}

export function newKeyring(): Keyring {
  return { current: newSigningKey(), previous: [] };
}

/**
 * A new current key; the old one keeps verifying as the newest previous key, and the oldest
 * beyond MAX_PREVIOUS_KEYS stops. Rotate no more often than the longest-lived token lasts,
 * or tokens signed two rotations ago stop verifying early.
 */
export function rotate(keyring: Keyring): Keyring {
  const previous = [keyring.current, ...keyring.previous].slice(0, MAX_PREVIOUS_KEYS);
  let current = newSigningKey();
  // 32-bit kids collide about once in 4 billion rotations; a collision would make the old key unreachable.
  while (previous.some((key) => key.kid === current.kid)) current = newSigningKey();
  return { current, previous };
}

const storedKey = z.object({
  kid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  secret: z.base64url().transform((text) => Buffer.from(text, "base64url")),
});
const storedKeyring = z.object({ v: z.literal(1), current: storedKey, previous: z.array(storedKey).max(MAX_PREVIOUS_KEYS) });

export function sealKeyring(keyring: Keyring, masterKey: Buffer): string {
  const stored: z.input<typeof storedKeyring> = { v: 1, current: toStored(keyring.current), previous: keyring.previous.map(toStored) };
  return seal(stored, masterKey, CONTEXT);
}

export function openKeyring(sealed: string, masterKey: Buffer): Keyring {
  const parsed = storedKeyring.safeParse(openJson(sealed, masterKey, CONTEXT));
  const keys = parsed.success ? [parsed.data.current, ...parsed.data.previous] : [];
  if (!parsed.success || keys.some((key) => key.secret.length < SECRET_BYTES)) {
    throw new SecretsError("sealed_malformed", "The sealed signing keys opened, but their content is not a keyring.");
  }
  return { current: parsed.data.current, previous: parsed.data.previous };
}

function toStored(key: SigningKey): { kid: string; secret: string } {
  return { kid: key.kid, secret: key.secret.toString("base64url") };
}

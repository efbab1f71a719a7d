import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import { SecretsError } from "./SecretsError.ts";

/**
 * Encryption at rest for store credentials and signing keys: AES-256-GCM, written as
 * `v1.<iv>.<tag>.<ciphertext>` in base64url. The version prefix lets a later format (or a
 * re-keyed master key) live next to this one while rows are migrated.
 *
 * `context` is bound as associated data: a value sealed for one purpose ("signing-keys",
 * "credentials:<storeId>") fails to open under another, so ciphertexts cannot be swapped
 * between columns or rows.
 */

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const MASTER_KEY_BYTES = 32;

/** Objects are stored as their JSON; read them back with `openJson`. */
export function seal(plaintext: string | object, masterKey: Buffer, context = ""): string {
  assertMasterKey(masterKey);
  const text = typeof plaintext === "string" ? plaintext : JSON.stringify(plaintext);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
  return `${VERSION}.${iv.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}.${ciphertext.toString("base64url")}`;
}

export function open(sealed: string, masterKey: Buffer, context = ""): string {
  assertMasterKey(masterKey);
  const parts = typeof sealed === "string" ? sealed.split(".") : [];
  if (parts.length !== 4 || parts[0] !== VERSION) throw malformed();
  const [iv, tag, ciphertext] = parts.slice(1).map(decodeCanonical);
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !ciphertext) throw malformed();
  const decipher = createDecipheriv("aes-256-gcm", masterKey, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretsError("sealed_tampered", "The sealed value does not open with this master key and context: it was altered, or sealed under another key.");
  }
}

export function openJson(sealed: string, masterKey: Buffer, context = ""): unknown {
  const text = open(sealed, masterKey, context);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SecretsError("sealed_malformed", "The sealed value opened, but it does not hold JSON.");
  }
}

function assertMasterKey(masterKey: Buffer): void {
  if (!Buffer.isBuffer(masterKey) || masterKey.length !== MASTER_KEY_BYTES) {
    throw new SecretsError("master_key_invalid", `The master key must be ${MASTER_KEY_BYTES} bytes.`);
  }
}

/**
 * Buffer's decoder skips stray characters and ignores spare bits; refusing both gives every
 * sealed value exactly one spelling.
 */
function decodeCanonical(text: string): Buffer | null {
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? bytes : null;
}

function malformed(): SecretsError {
  return new SecretsError("sealed_malformed", `The sealed value is not in the ${VERSION} format.`);
}
